"""Video I/O and the dense pass engine on real files."""

from __future__ import annotations

import os
import threading
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from overlay_fixtures import suite
from PIL import Image

from remixer.pipeline.errors import PipelineCanceled, PipelineError
from remixer.pipeline.types import Frame, StageHooks
from remixer.pipeline.video import VideoInfo, VideoWriter, iter_frames_bgr, probe_video, transcode
from remixer.pipeline.video.reader import iter_decoded_frames


def _with_audio() -> Path:
    return next(truth.path for spec, truth in suite() if spec.audio)


def test_probe_reads_size_rate_duration_and_audio() -> None:
    info = probe_video(_with_audio())
    assert (info.width, info.height, info.fps_num, info.fps_den) == (540, 960, 30, 1)
    assert info.frame_count == 72 and abs(info.duration_s - 2.4) < 0.05
    assert info.has_audio and info.video_codec == "h264"
    assert VideoInfo.from_dict(info.to_dict()) == info


@pytest.mark.parametrize("content", [b"", b"this is not a video at all" * 100, b"\x00" * 4096])
def test_non_video_is_source_invalid(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "fake.mp4"
    path.write_bytes(content)
    with pytest.raises(PipelineError) as caught:
        probe_video(path)
    assert caught.value.code == "SOURCE_INVALID"
    with pytest.raises(PipelineError):
        list(iter_frames_bgr(path))


@pytest.mark.parametrize(("name", "kind"), [("photo.mp4", "JPEG"), ("photo.png", "PNG")])
def test_a_still_image_is_not_a_source(tmp_path: Path, name: str, kind: str) -> None:
    # FFmpeg reads a photo as a one-frame video: it was remixed into a one-frame MP4.
    path = tmp_path / name
    Image.fromarray(np.full((960, 540, 3), 128, np.uint8)).save(path, kind)
    with pytest.raises(PipelineError) as caught:
        probe_video(path)
    assert caught.value.code == "SOURCE_INVALID" and "still image" in caught.value.message


def test_missing_file_is_source_invalid(tmp_path: Path) -> None:
    with pytest.raises(PipelineError) as caught:
        probe_video(tmp_path / "nope.mp4")
    assert caught.value.code == "SOURCE_INVALID"


def test_transcode_keeps_frames_duration_and_audio(tmp_path: Path) -> None:
    src = _with_audio()
    info = probe_video(src)
    seen: list[int] = []
    progress: list[float] = []

    def process(index: int, frame: Frame) -> Frame:
        seen.append(index)
        out = frame.copy()
        out[:20, :20] = (0, 0, 255)
        return out

    dst = tmp_path / "out.mp4"
    transcode(src, dst, process, info, StageHooks(progress=progress.append))
    out = probe_video(dst)
    assert seen == list(range(info.frame_count))
    assert out.frame_count == info.frame_count
    assert abs(out.duration_s - info.duration_s) <= 0.1
    assert out.has_audio and (out.width, out.height, out.fps) == (540, 960, 30.0)
    assert progress == sorted(progress) and progress[-1] == 1.0
    first = next(iter_frames_bgr(dst))
    assert first[5, 5, 2] > 200 and first[5, 5, 0] < 60


def test_transcode_steps_run_in_their_own_threads_in_frame_order(tmp_path: Path) -> None:
    src = _with_audio()
    info = probe_video(src)
    calls: dict[str, list[tuple[int, str]]] = {"mark": [], "tint": []}

    def mark(index: int, frame: Frame) -> Frame:
        calls["mark"].append((index, threading.current_thread().name))
        out = frame.copy()
        out[:20, :20] = (0, 0, 255)
        return out

    def tint(index: int, frame: Frame) -> Frame:
        calls["tint"].append((index, threading.current_thread().name))
        assert frame[5, 5, 2] == 255  # the first step's output, not the decoded frame
        out = frame.copy()
        out[:20, 20:40] = (255, 0, 0)
        return out

    dst = tmp_path / "out.mp4"
    before = threading.active_count()
    transcode(src, dst, (mark, tint), info, StageHooks())
    assert threading.active_count() == before
    for name in calls:
        assert [i for i, _ in calls[name]] == list(range(info.frame_count))
        assert len({thread for _, thread in calls[name]}) == 1
    assert calls["mark"][0][1] != calls["tint"][0][1]
    first = next(iter_frames_bgr(dst))
    assert first[5, 5, 2] > 200 and first[5, 25, 0] > 200 and first[5, 25, 2] < 60


def test_a_failing_second_step_stops_the_pass_and_leaves_no_file(tmp_path: Path) -> None:
    src = _with_audio()

    def boom(index: int, frame: Frame) -> Frame:
        if index == 7:
            raise RuntimeError("painting failed")
        return frame

    with pytest.raises(RuntimeError, match="painting failed"):
        transcode(src, tmp_path / "o.mp4", (lambda i, f: f, boom), probe_video(src), StageHooks())
    assert not (tmp_path / "o.mp4").exists()


def test_transcode_cancel_stops_threads_and_leaves_no_file(tmp_path: Path) -> None:
    src = _with_audio()
    calls = {"n": 0}

    def check_cancel() -> None:
        calls["n"] += 1
        if calls["n"] > 3:
            raise PipelineCanceled()

    before = threading.active_count()
    dst = tmp_path / "out.mp4"
    with pytest.raises(PipelineCanceled):
        transcode(src, dst, lambda i, f: f, probe_video(src), StageHooks(check_cancel=check_cancel))
    assert not dst.exists()
    assert threading.active_count() == before


def test_transcode_process_error_propagates(tmp_path: Path) -> None:
    src = _with_audio()

    def boom(index: int, frame: Frame) -> Frame:
        if index == 10:
            raise RuntimeError("processing failed")
        return frame

    with pytest.raises(RuntimeError, match="processing failed"):
        transcode(src, tmp_path / "o.mp4", boom, probe_video(src), StageHooks())
    assert not (tmp_path / "o.mp4").exists()


def test_transcode_of_non_video_is_source_invalid(tmp_path: Path) -> None:
    src = tmp_path / "bad.mp4"
    src.write_bytes(b"garbage" * 500)
    info = probe_video(_with_audio())
    with pytest.raises(PipelineError) as caught:
        transcode(src, tmp_path / "o.mp4", lambda i, f: f, info, StageHooks())
    assert caught.value.code == "SOURCE_INVALID"


def test_decoded_frames_convert_on_demand_like_the_bgr_reader() -> None:
    import cv2

    src = _with_audio()
    decoded = list(iter_decoded_frames(src))
    bgr = list(iter_frames_bgr(src))
    assert len(decoded) == len(bgr) == probe_video(src).frame_count
    for index in (0, len(bgr) // 2, len(bgr) - 1):
        assert np.array_equal(decoded[index].bgr(), bgr[index])
        grey = cv2.cvtColor(bgr[index], cv2.COLOR_BGR2GRAY)
        expected = cv2.resize(grey, (32, 56), interpolation=cv2.INTER_AREA).astype(np.float32)
        small = decoded[index].grey(32, 56)
        assert small.shape == (56, 32) and small.dtype == np.uint8
        assert float(np.abs(small - expected).mean()) < 3.0


def test_frames_decode_in_order_as_bgr() -> None:
    frames = list(iter_frames_bgr(_with_audio()))
    assert len(frames) == 72
    assert frames[0].shape == (960, 540, 3) and frames[0].dtype == np.uint8


def _write_rgb_clip(path: Path, count: int) -> None:
    """Frames written with PyAV itself from RGB arrays: the left half pure red, the right
    half pure blue, and a grey square whose level counts the frame (20 + 10 × index)."""
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        stream.options = {"crf": "0", "g": "1"}
        for index in range(count):
            rgb = np.zeros((64, 64, 3), dtype=np.uint8)
            rgb[:32, :32] = (255, 0, 0)
            rgb[:32, 32:] = (0, 0, 255)
            rgb[40:, :] = 20 + 10 * index
            for packet in stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def test_decoded_frames_keep_their_order_and_blue_green_red_channels(tmp_path: Path) -> None:
    path = tmp_path / "rgb.mp4"
    _write_rgb_clip(path, 12)
    frames = list(iter_frames_bgr(path))
    assert len(frames) == 12
    levels = [float(frame[44:60, 8:56].mean()) for frame in frames]
    for index, level in enumerate(levels):
        assert abs(level - (20 + 10 * index)) <= 4, (index, levels)
    first = frames[0]
    red_bgr = first[4:28, 4:28].reshape(-1, 3).mean(axis=0)
    blue_bgr = first[4:28, 36:60].reshape(-1, 3).mean(axis=0)
    assert red_bgr[2] > 200 and red_bgr[0] < 50, red_bgr  # red sits in channel 2 (BGR)
    assert blue_bgr[0] > 200 and blue_bgr[2] < 50, blue_bgr


def test_selected_frames_come_with_their_index_and_content(tmp_path: Path) -> None:
    from remixer.pipeline.video.transcode import prefetch_selected_frames

    path = tmp_path / "rgb.mp4"
    _write_rgb_clip(path, 12)
    with prefetch_selected_frames(path, lambda index: index % 4 == 1) as frames:
        picked = list(frames)
    assert [index for index, _ in picked] == [1, 5, 9]
    for index, frame in picked:
        assert abs(float(frame[44:60, 8:56].mean()) - (20 + 10 * index)) <= 4, index


def test_odd_sized_frames_are_padded_to_even(tmp_path: Path) -> None:
    out = tmp_path / "odd.mp4"
    with VideoWriter(out, 63, 35, Fraction(10)) as writer:
        for _ in range(5):
            writer.write(np.full((35, 63, 3), 90, dtype=np.uint8))
    info = probe_video(out)
    assert (info.width, info.height, info.frame_count) == (64, 36, 5)


def test_a_file_cut_short_is_source_invalid(tmp_path: Path) -> None:
    whole = tmp_path / "whole.mp4"
    noise = np.random.default_rng(7)
    with VideoWriter(whole, 64, 64, Fraction(10)) as writer:  # faststart: the index comes first
        for _ in range(30):
            writer.write(noise.integers(0, 256, (64, 64, 3), dtype=np.uint8))
    assert probe_video(whole).frame_count == 30
    cut = tmp_path / "cut.mp4"
    data = whole.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(PipelineError) as caught:
        probe_video(cut)
    assert caught.value.code == "SOURCE_INVALID" and "truncated" in caught.value.message


def _write_vfr_clip(path: Path, times_ms: list[int]) -> None:
    """Grey frames at the given presentation times (a 1 ms time base, as phones write)."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        stream.codec_context.time_base = Fraction(1, 1000)
        for index, time_ms in enumerate(times_ms):
            frame = av.VideoFrame.from_ndarray(np.full((64, 64, 3), index * 8, np.uint8), "rgb24")
            frame.pts = time_ms
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


def _frame_times(path: Path) -> list[float]:
    with av.open(str(path)) as container:
        return [float(frame.time) for frame in container.decode(video=0)]


def test_a_variable_rate_source_keeps_its_frame_times(tmp_path: Path) -> None:
    src, dst = tmp_path / "vfr.mp4", tmp_path / "out.mp4"
    times_ms = [100 * i for i in range(10)] + [1000 + 250 * i for i in range(1, 7)]
    _write_vfr_clip(src, times_ms)  # 10 fps for a second, then 4 fps (light fell)
    info = probe_video(src)
    assert info.variable_rate and info.frame_count == 16
    transcode(src, dst, lambda _i, frame: frame, info, StageHooks())
    source, output = _frame_times(src), _frame_times(dst)
    assert len(output) == 16
    drift = [abs((o - output[0]) - (s - source[0])) for s, o in zip(source, output, strict=True)]
    assert max(drift) < 0.002


def test_a_constant_rate_source_is_written_at_its_rate(tmp_path: Path) -> None:
    src, dst = tmp_path / "cfr.mp4", tmp_path / "out.mp4"
    _write_vfr_clip(src, [100 * i for i in range(12)])
    info = probe_video(src)
    assert not info.variable_rate
    transcode(src, dst, lambda _i, frame: frame, info, StageHooks())
    assert probe_video(dst).fps == 10 and _frame_times(dst) == pytest.approx(
        [i / 10 for i in range(12)]
    )


def _write_clip_with_audio(path: Path, codec: str) -> None:
    """1 s of 64×64 video at 10 fps and a 440 Hz tone in `codec` (stereo; 44.1 kHz, Opus
    48 kHz)."""
    with av.open(str(path), "w") as container:
        video = container.add_stream("libvpx" if path.suffix == ".webm" else "mpeg4", rate=10)
        video.width = video.height = 64
        video.pix_fmt = "yuv420p"
        rate = 48000 if codec == "libopus" else 44100
        audio = container.add_stream(codec, rate=rate, layout="stereo")
        for index in range(10):
            image = np.full((64, 64, 3), index * 20, np.uint8)
            for packet in video.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        tone = np.sin(np.arange(rate) * 2 * np.pi * 440 / rate) * 0.3
        pcm = np.tile(tone.astype(np.float32), (2, 1))
        samples = (pcm.T.reshape(1, -1) * 32767).astype(np.int16)
        frame = av.AudioFrame.from_ndarray(samples, format="s16", layout="stereo")
        frame.sample_rate = rate
        frame.pts = 0
        for packet in [*audio.encode(frame), *audio.encode(None)]:
            container.mux(packet)
        for packet in video.encode(None):
            container.mux(packet)


@pytest.mark.parametrize(
    ("codec", "suffix"), [("pcm_s16le", ".mov"), ("flac", ".mkv"), ("libopus", ".webm")]
)
def test_audio_browsers_cannot_play_is_encoded_to_aac(
    tmp_path: Path, codec: str, suffix: str
) -> None:
    src = tmp_path / f"src{suffix}"
    _write_clip_with_audio(src, codec)
    out = tmp_path / "out.mp4"
    with VideoWriter(out, 64, 64, Fraction(10), audio_from=src) as writer:
        for _ in range(10):
            writer.write(np.zeros((64, 64, 3), np.uint8))
    with av.open(str(out)) as container:
        stream = container.streams.audio[0]
        assert stream.codec_context.name == "aac"
        heard = np.concatenate([f.to_ndarray().ravel() for f in container.decode(stream)])
        rate = stream.rate
    # About a second of the tone, not silence.
    assert 0.9 * rate < heard.size / 2 < 1.1 * rate
    assert float(np.abs(heard).max()) > 0.2


def test_aac_audio_is_copied_untouched(tmp_path: Path) -> None:
    src = _with_audio()
    out = tmp_path / "out.mp4"
    info = probe_video(src)
    with av.open(str(src)) as container:
        stream = container.streams.audio[0]
        assert stream.codec_context.name == "aac"
        before = [bytes(p) for p in container.demux(stream) if p.size][:20]
    with VideoWriter(out, info.width, info.height, info.frame_rate, audio_from=src) as writer:
        for frame in iter_frames_bgr(src):
            writer.write(frame)
    with av.open(str(out)) as container:
        after = [bytes(p) for p in container.demux(container.streams.audio[0]) if p.size][:20]
    assert after == before


def _encoded_packets(path: Path, cpus: set[int]) -> list[bytes]:
    """Encode the same moving texture with this thread limited to `cpus` (libx264 reads
    the calling thread's CPU set when it opens) and return the video packets."""
    rng = np.random.default_rng(5)
    texture = rng.integers(0, 256, (576 + 64, 320 + 64, 3), dtype=np.uint8)
    everything = os.sched_getaffinity(0)
    os.sched_setaffinity(0, cpus)
    try:
        with VideoWriter(path, 320, 576, Fraction(30)) as writer:
            for index in range(24):
                writer.write(
                    np.ascontiguousarray(texture[index : index + 576, index : index + 320])
                )
    finally:
        os.sched_setaffinity(0, everything)
    container = av.open(str(path))
    try:
        return [bytes(p) for p in container.demux(container.streams.video[0]) if p.size]
    finally:
        container.close()


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two CPUs to compare")
def test_the_same_frames_encode_the_same_on_one_cpu_and_on_all(tmp_path: Path) -> None:
    # libx264's default thread count follows the cores, and its slices with it: the
    # writer's fixed count makes the bytes independent of the machine.
    one = _encoded_packets(tmp_path / "one.mp4", {min(os.sched_getaffinity(0))})
    every = _encoded_packets(tmp_path / "all.mp4", os.sched_getaffinity(0))
    assert len(one) == 24 and one == every


def _write_late_video(path: Path, audio_codec: str, video_start_s: float) -> None:
    """Audio from 0 to 2.5 s, silent but for a 440 Hz beep at 1.0-1.2 s; video at 10 fps
    from `video_start_s` to 2.5 s, black but for a white flash at 1.0 s (with the beep)."""
    rate = 48000
    with av.open(str(path), "w") as container:
        video = container.add_stream("libx264", rate=10)
        video.width = video.height = 64
        video.pix_fmt = "yuv420p"
        audio = container.add_stream(audio_codec, rate=rate, layout="mono")
        first = round(video_start_s * 10)
        for pts in range(first, 25):
            image = np.full((64, 64, 3), 255 if pts == 10 else 0, np.uint8)
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = pts
            for packet in video.encode(frame):
                container.mux(packet)
        for packet in video.encode(None):
            container.mux(packet)
        t = np.arange(int(2.5 * rate)) / rate
        tone = np.where((t >= 1.0) & (t < 1.2), 0.5 * np.sin(2 * np.pi * 440 * t), 0.0)
        step = audio.codec_context.frame_size or 1024
        for start in range(0, tone.size, step):
            chunk = (tone[start : start + step] * 32767).astype(np.int16).reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(chunk, format="s16", layout="mono")
            frame.sample_rate, frame.pts = rate, start
            for packet in audio.encode(frame):
                container.mux(packet)
        for packet in audio.encode(None):
            container.mux(packet)


def _first_loud_s(frame: av.AudioFrame) -> float | None:
    """The time of the first sample of `frame` above a tenth of full scale, if any."""
    samples = frame.to_ndarray()[0].astype(np.float64)
    if frame.format.name.startswith("s16"):
        samples /= 32767
    loud = np.flatnonzero(np.abs(samples) > 0.1)
    return float(frame.time) + loud[0] / frame.sample_rate if loud.size else None


def _flash_and_beep(path: Path) -> tuple[float, float]:
    """When the brightest frame is shown and when the beep is first heard (s)."""
    with av.open(str(path)) as container:
        frames = [(f.time, f.to_ndarray(format="gray").mean()) for f in container.decode(video=0)]
        container.seek(0)
        heard = [_first_loud_s(f) for f in container.decode(container.streams.audio[0])]
    return float(max(frames, key=lambda tf: tf[1])[0]), min(t for t in heard if t is not None)


@pytest.mark.parametrize(("codec", "suffix"), [("aac", ".mp4"), ("pcm_s16le", ".mov")])
def test_a_video_that_starts_after_its_audio_stays_in_step(
    tmp_path: Path, codec: str, suffix: str
) -> None:
    src, dst = tmp_path / f"late{suffix}", tmp_path / "out.mp4"
    _write_late_video(src, codec, 0.5)
    flash, beep = _flash_and_beep(src)
    assert abs(flash - 1.0) < 0.01 and abs(beep - 1.0) < 0.03  # in step in the source
    info = probe_video(src)
    transcode(src, dst, lambda _i, frame: frame, info, StageHooks())
    flash, beep = _flash_and_beep(dst)
    assert abs(flash - 0.5) < 0.01  # the output's video starts at 0 ...
    assert abs(beep - flash) < 0.03  # ... and the audio moved with it (was 0.5 s late)
    with av.open(str(dst)) as container:
        audio = container.streams.audio[0]
        assert audio.duration is not None
        assert float(audio.duration * audio.time_base) < 2.1  # nothing before the first frame

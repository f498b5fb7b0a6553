"""Accept → completed over HTTP with a warm in-process worker (uvicorn API + DBOS worker,
SQLite), on the e2e clip (540x960, 30 fps, 3 s). Usage: job_timing.py RUNS [SECONDS]"""
import sys, time, tempfile, json
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))
import e2e_support
if len(sys.argv) > 2:
    e2e_support.CLIP_SECONDS = float(sys.argv[2])
import httpx
from e2e_support import build_e2e_assets, TIKTOK_ID
from remixer.cli.demo import EmbeddedService, _free_port, _operator_setup
from remixer.config import Settings

runs = int(sys.argv[1])
tmp = Path(tempfile.mkdtemp(prefix="jobtiming-"))
assets = build_e2e_assets(tmp / "assets")
port = _free_port()
settings = Settings(data_dir=tmp / "data", database_url=None, public_url=f"http://127.0.0.1:{port}", _env_file=None)
key = _operator_setup(settings, assets.source.parent, tier="pilot")
service = EmbeddedService(settings, port)
http = httpx.Client(base_url=settings.public_url, timeout=60, headers={"Authorization": f"Bearer {key}"})

def poll(job_id, every=0.05):
    stages = []
    while True:
        j = http.get(f"/v1/jobs/{job_id}").json()
        if not stages or stages[-1][0] != j["stage"]:
            stages.append((j["stage"], time.perf_counter(), j["progress"]))
        if j["status"] != "running":
            return j, stages
        time.sleep(every)

pid = http.post("/v1/projects", json={"name": "T", "brandVoice": "witty", "primaryLanguage": "en"}).json()["id"]
with assets.photos[0].open("rb") as f:
    media = http.post(f"/v1/projects/{pid}/media", files={"file": ("b.jpg", f, "image/jpeg")}).json()
inf = http.post(f"/v1/projects/{pid}/influencers", json={"name": "B", "referenceImageIds": [media["mediaId"]]}).json()
poll(inf["jobId"])
times = []
for n in range(runs + 1):
    t0 = time.perf_counter()
    acc = http.post(f"/v1/projects/{pid}/content/video-remix", json={"tiktokVideoId": TIKTOK_ID, "influencerId": inf["influencerId"]}, headers={"Idempotency-Key": f"t{n}-{time.time_ns()}"})
    job, stages = poll(acc.json()["jobId"])
    dt = time.perf_counter() - t0
    assert job["status"] == "completed", job
    trace = [(s, round(t - t0, 2), round(p, 2)) for s, t, p in stages]
    print(("warm-up" if n == 0 else f"run {n}"), f"{dt:.2f}s", trace, flush=True)
    if n:
        times.append(dt)
times.sort()
print(json.dumps({"runs": runs, "median_s": round(times[len(times)//2], 2), "min_s": round(times[0], 2), "all": [round(t, 2) for t in times]}))
service.stop()

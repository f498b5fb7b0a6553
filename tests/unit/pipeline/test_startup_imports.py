"""What a `remixer remix` process imports for the models it uses, checked in a fresh
interpreter: FaceMesh without mediapipe's umbrella imports (matplotlib among them), the
dlib models without `pkg_resources`, the model store without the store stack."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[3] / "src"


def _loaded_after(code: str) -> set[str]:
    """Top-level packages in `sys.modules` after running `code` in a fresh interpreter."""
    listing = "import sys\nprint(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    script = f"{code}\n{listing}"
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(SRC), "GLOG_minloglevel": "2"},
        timeout=120,
    )
    return set(done.stdout.split("\n")[-2].split())


def test_face_mesh_runs_without_matplotlib() -> None:
    code = (
        "import numpy as np\n"
        "from remixer.pipeline.faces.models import Landmarker\n"
        "mesh = Landmarker(static=True)\n"
        "assert mesh.find(np.zeros((64, 64, 3), np.uint8)) == []\n"
        "mesh.close()\n"
        "from mediapipe.python.solutions import face_mesh\n"
        "assert Landmarker(static=False)._mesh.__class__ is face_mesh.FaceMesh\n"
    )
    loaded = _loaded_after(code)
    assert "mediapipe" in loaded
    assert "matplotlib" not in loaded


def test_the_model_store_loads_no_store_stack() -> None:
    loaded = _loaded_after("from remixer.workflows.runtime import ModelCache\nModelCache()")
    assert "sqlalchemy" not in loaded


def test_the_dlib_models_load_without_pkg_resources() -> None:
    code = (
        "from remixer.pipeline.faces.models import load_face_models\n"
        "assert load_face_models().encoder is not None\n"
    )
    loaded = _loaded_after(code)
    assert "dlib" in loaded
    assert "pkg_resources" not in loaded

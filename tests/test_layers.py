"""The import graph: layers in one direction (pyproject's import-linter contracts), no import cycles,
and ``import audiokit`` loads none of the heavy packages."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
HEAVY = (
    "feedgen",
    "lxml",
    "PIL",
    "nh3",
    "numpy",
    "scipy",
    "faster_whisper",
    "ctranslate2",
    "onnxruntime",
    "jinja2",
    "mutagen",
    "markdown_it",
)


def test_no_module_imports_itself_through_others() -> None:
    graph = grimp.build_graph("audiokit", cache_dir=None)
    cycles = [
        chain
        for module in sorted(graph.modules)
        for imported in sorted(graph.find_modules_directly_imported_by(module))
        if (chain := graph.find_shortest_chain(importer=imported, imported=module))
    ]
    assert cycles == []


def test_every_module_has_a_layer() -> None:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["importlinter"]["contracts"]
    layers = next(c for c in contracts if c["type"] == "layers")["layers"]
    listed = {name.strip(" ()") for layer in layers for name in layer.replace("|", ":").split(":")}
    graph = grimp.build_graph("audiokit", cache_dir=None)
    assert {child.split(".")[1] for child in graph.find_children("audiokit")} == listed


def test_the_layer_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout


def test_only_the_ffmpeg_module_starts_processes() -> None:
    """Every ffmpeg run goes through audiokit.ffmpeg: argv lists, safe paths, exit code checked, stderr in the error."""
    spawns = ("system", "popen", "exec", "spawn", "posix_spawn", "fork", "create_subprocess_")  # os.*, asyncio.*
    starters = set()
    for path in sorted((ROOT / "src/audiokit").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            imported = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            imported += [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            owner = node.value.id if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) else ""
            called = owner in ("os", "asyncio") and isinstance(node, ast.Attribute) and node.attr.startswith(spawns)
            if called or "subprocess" in (name.split(".")[0] for name in imported):
                starters.add(path.relative_to(ROOT / "src").as_posix())
    assert starters == {"audiokit/ffmpeg.py"}


def test_import_audiokit_loads_no_heavy_package() -> None:
    code = f"import sys, audiokit; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"

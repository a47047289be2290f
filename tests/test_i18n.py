"""German by default, English by locale: the real CLI in both languages, a complete and current catalog,
and a scan of the source that fails when a message a user reads is not marked for translation."""

from __future__ import annotations

import ast
import gettext
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from audiokit import i18n

SRC = Path(i18n.__file__).parent
PO = i18n.LOCALE_DIR / "de/LC_MESSAGES/audiokit.po"
MO = PO.with_suffix(".mo")
LOCALE_ENV = ("AUDIOKIT_LANG", *i18n.LOCALE_VARIABLES)


def run_cli(args: list[str], **env: str) -> subprocess.CompletedProcess:
    """The installed CLI in a fresh process, with only ``env`` of the locale variables set."""
    clean = {k: v for k, v in os.environ.items() if k not in LOCALE_ENV} | env
    code = f"import sys; sys.argv[1:] = {args!r}; from audiokit.cli import main; main()"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=clean, timeout=120)


def test_german_without_a_locale(tmp_path: Path) -> None:
    helped = run_cli(["--help"])
    assert helped.returncode == 0
    assert helped.stdout.startswith("Aufruf: audiokit [OPTIONS] COMMAND [ARGS]...")
    assert "Deutsche Talk-Podcasts produzieren" in helped.stdout
    assert "Diese Hilfe anzeigen und beenden." in helped.stdout

    missing = run_cli(["build", str(tmp_path / "fehlt")])
    assert missing.returncode == 1
    assert (
        missing.stderr == f"Fehler: {tmp_path / 'fehlt'} ist kein Ordner — den Show-Ordner mit der show.toml angeben\n"
    )

    show = tmp_path / "show"
    made = run_cli(
        ["init", str(show), "--title", "T", "--author", "A", "--base-url", "https://a.example/", "--host", "H"]
    )
    assert made.returncode == 0, made.stderr
    made = run_cli(["new", str(show), "Erste Folge"])  # the library's log line
    assert made.returncode == 0 and made.stderr.startswith("als Nächstes: die Aufnahme nach "), made.stderr

    no_argument = run_cli(["build"], LANG="de_DE.UTF-8")  # click's own message
    assert no_argument.returncode == 2
    assert "Fehler: Fehlendes Argument 'SHOW'." in no_argument.stderr


def test_english_by_lang(tmp_path: Path) -> None:
    helped = run_cli(["build", "--help"], LANG="en_US.UTF-8")
    assert helped.stdout.startswith("Usage: audiokit build [OPTIONS] SHOW")
    assert "Run every stage again, changed or not." in helped.stdout

    missing = run_cli(["build", str(tmp_path / "fehlt")], LANG="en_GB.UTF-8")
    assert (
        missing.stderr == f"Error: {tmp_path / 'fehlt'} is not a folder — give the show folder that holds show.toml\n"
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "de"),
        ({"LANG": "C.UTF-8"}, "de"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "de_DE.UTF-8", "LANGUAGE": "en_GB:de"}, "en"),  # LANGUAGE comes first
        ({"LANGUAGE": "fr:de:en", "LANG": "en_US.UTF-8"}, "de"),  # its first language audiokit speaks
        ({"LC_ALL": "de_AT.UTF-8", "LANG": "en_US.UTF-8"}, "de"),
        ({"LC_MESSAGES": "en_US.UTF-8", "LANG": "de_DE.UTF-8"}, "en"),
        ({"LANGUAGE": "", "LANG": "en_US.UTF-8"}, "en"),  # an empty variable does not count
        ({"AUDIOKIT_LANG": "de", "LANG": "en_US.UTF-8"}, "de"),
        ({"AUDIOKIT_LANG": "EN", "LC_ALL": "de_DE.UTF-8"}, "en"),
    ],
)
def test_language_follows_gettexts_order(monkeypatch: pytest.MonkeyPatch, env: dict, expected: str) -> None:
    for name in LOCALE_ENV:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert i18n.language() == expected
    assert (i18n._("no cuts") == "keine Schnitte") == (expected == "de")


def test_catalog_is_complete_and_compiled(tmp_path: Path) -> None:
    """msgfmt reports no untranslated or fuzzy entry, and the shipped .mo holds what the .po says."""
    fresh = tmp_path / "audiokit.mo"
    proc = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", str(fresh), str(PO)], capture_output=True, text=True, check=True
    )
    assert re.fullmatch(r"\d+ translated messages\.\n", proc.stderr), proc.stderr
    with fresh.open("rb") as new, MO.open("rb") as shipped:
        assert gettext.GNUTranslations(shipped)._catalog == gettext.GNUTranslations(new)._catalog  # type: ignore[attr-defined]


def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"\{[^{}]*\}|%(?:\(\w+\))?[-#0-9.]*[sdfgr]", text))


def test_translations_keep_every_placeholder() -> None:
    catalog = i18n.translations("de")._catalog  # type: ignore[attr-defined]
    singles = {k: v for k, v in catalog.items() if isinstance(k, str) and k}  # plurals (click's) key by (msgid, n)
    assert len(singles) > 400
    for source, german in singles.items():
        assert _placeholders(german) == _placeholders(source), (source, german)


# --- every message a user reads goes through _() ---------------------------------------------------
TRANSLATORS = {"_", "N_", "ngettext"}
SHOWN_FIRST = {"echo", "secho", "echo_result", "confirm", "prompt", "progress", "comment"}  # comment: in a TOML file
SHOWN_ARGS = {  # helpers whose arguments (a slice of them) become part of a message
    "os_error": (1, 2),
    "remote_errors": (1, 2),
    "edit_toml": (2, 3),
    "ImageTooLarge": (0, 1),
    "__init__": (0, 2),
    "parse_timestamp": (1, 2),
    "check_slug": (1, 2),
    "https": (2, 3),
    "local": (2, 3),
}
LOG_LEVELS = {"info", "warning", "error", "exception", "critical"}
PROSE = re.compile(r"[A-Za-z]{2}.* | .*[A-Za-z]{2}")  # words and a space: a message, not a key or file name


def _name(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _error_classes(trees: list[ast.Module]) -> set[str]:
    names = {"AudiokitError", "ClickException", "UsageError", "BadParameter"}
    while True:
        found = {
            n.name
            for t in trees
            for n in ast.walk(t)
            if isinstance(n, ast.ClassDef) and any(_name(b) in names for b in n.bases)
        }
        if found <= names:
            return names
        names |= found


def _shown(call: ast.Call, errors: set[str]):
    """The arguments of ``call`` that end up in front of the user."""
    name = _name(call.func)
    if name in errors:
        yield from call.args
        yield from (k.value for k in call.keywords if k.arg in ("what", "fix"))
    elif name in SHOWN_ARGS:
        yield from call.args[slice(*SHOWN_ARGS[name])]
    elif name == "add" and len(call.args) >= 2:  # publish.check's problems: add(where, what, fix)
        yield from call.args[1:]
    elif name == "error" and len(call.args) == 3:  # a config Place's error(key, what, fix)
        yield from call.args[1:]
    elif name in SHOWN_FIRST and call.args:
        yield call.args[0]
    elif name in LOG_LEVELS and isinstance(call.func, ast.Attribute) and _name(call.func.value) == "log" and call.args:
        yield call.args[0]
    elif name == "_json" and call.args and isinstance(call.args[0], ast.Dict):  # the editor's error replies
        yield from (v for k, v in zip(call.args[0].keys, call.args[0].values) if _name_or_key(k) in ("error", "fix"))
    yield from (k.value for k in call.keywords if k.arg == "help")


def _name_or_key(node: ast.expr | None) -> str:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""


def _bare(expr: ast.expr, assigned: dict[str, list[ast.expr]], seen: tuple[str, ...] = ()):
    """String literals in ``expr`` that reach the user untranslated (following local and module names)."""
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id in TRANSLATORS:
        return
    if isinstance(expr, ast.Name) and expr.id in assigned and expr.id not in seen:
        for value in assigned[expr.id]:
            yield from _bare(value, assigned, (*seen, expr.id))
    elif isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        if PROSE.search(expr.value):
            yield expr
    elif isinstance(expr, ast.JoinedStr):
        if PROSE.search("".join(v.value if isinstance(v, ast.Constant) else "{}" for v in expr.values)):
            yield expr
    elif isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Add, ast.Mod)):
        yield from _bare(expr.left, assigned, seen)
        yield from _bare(expr.right, assigned, seen)
    elif isinstance(expr, (ast.BoolOp, ast.IfExp)):
        for part in [*expr.values] if isinstance(expr, ast.BoolOp) else [expr.body, expr.orelse]:
            yield from _bare(part, assigned, seen)
    elif isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr in ("format", "join"):
        for part in [expr.func.value, *expr.args, *(k.value for k in expr.keywords)]:
            yield from _bare(part, assigned, seen)


SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _own_nodes(scope: ast.AST, stop: tuple[type, ...] = SCOPES):
    todo = list(ast.iter_child_nodes(scope))
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, stop):
            todo.extend(ast.iter_child_nodes(node))


def _assignments(nodes) -> dict[str, list[ast.expr]]:
    assigned: dict[str, list[ast.expr]] = {}
    for node in nodes:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                if isinstance(target, ast.Name):
                    assigned.setdefault(target.id, []).append(node.value)
    return assigned


def untranslated(tree: ast.Module, errors: set[str]) -> list[ast.expr]:
    """Literals a user reads that are not wrapped in _() (or N_()) in ``tree``."""
    module = _assignments(_own_nodes(tree))
    found = []
    for scope in [tree, *(n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))]:
        nodes = list(_own_nodes(scope))
        assigned = {**module, **_assignments(nodes)}
        for node in nodes:
            if isinstance(node, ast.Call):
                for arg in _shown(node, errors):
                    found += _bare(arg, assigned)
    return found


def _sources() -> dict[Path, ast.Module]:
    return {p: ast.parse(p.read_text(encoding="utf-8")) for p in sorted(SRC.rglob("*.py"))}


def test_the_scan_finds_an_unwrapped_message() -> None:
    code = """
FIX = "install it first"
def f(path):
    fix = f"give {path} a name"
    raise ConfigError(f"{path} is broken", fix)
def g(path):
    raise ConfigError(_("{path} is broken").format(path=path), FIX)
def h(n):
    click.echo(_("{n} done").format(n=n) + " and more", err=True)
    log.info(_("%s: fine"), n)
"""
    found = [ast.unparse(n) for n in untranslated(ast.parse(code), {"ConfigError"})]
    assert sorted(found) == sorted(
        ["f'{path} is broken'", "f'give {path} a name'", "'install it first'", "' and more'"]
    )


def test_every_message_a_user_reads_is_translated() -> None:
    sources = _sources()
    errors = _error_classes(list(sources.values()))
    assert {"AudiokitError", "ConfigError", "EditError", "ChangedOnDisk"} <= errors
    missing = [
        f"{path.relative_to(SRC)}:{node.lineno}: {ast.unparse(node)}"
        for path, tree in sources.items()
        for node in untranslated(tree, errors)
    ]
    assert not missing, "wrap these in _() and translate them in audiokit.po:\n" + "\n".join(missing)

    catalog = i18n.translations("de")._catalog  # type: ignore[attr-defined]
    marked = {
        node.args[0].value
        for tree in sources.values()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and _name(node.func) in ("_", "N_")
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }
    assert len(marked) > 400
    not_in_catalog = sorted(m for m in marked if not catalog.get(m))
    assert not not_in_catalog, "run scripts/i18n_catalog.py extract, translate, compile:\n" + "\n".join(not_in_catalog)


def test_no_function_hides_the_translator() -> None:
    """``for _, x in ...`` makes ``_`` a local: a ``_("...")`` in the same function then fails at run time."""
    clashes = []
    for path, tree in _sources().items():
        for scope in [tree, *(n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))]:
            nodes = list(_own_nodes(scope, SCOPES + COMPREHENSIONS))  # a comprehension's _ is its own
            stores = [
                n.lineno for n in nodes if isinstance(n, ast.Name) and n.id == "_" and isinstance(n.ctx, ast.Store)
            ]
            calls = any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "_" for n in nodes)
            if stores and calls:
                clashes.append(f"{path.relative_to(SRC)}:{stores[0]}")
    assert not clashes, "name the unused value (_dirs, _size) instead of _: " + ", ".join(clashes)


def test_init_and_new_write_german_comments(tmp_path: Path) -> None:
    from audiokit.scaffold import init_show, new_episode

    show = init_show(tmp_path / "show", title="T", author="A", base_url="https://example.org/", host="H")
    episode = new_episode(show, "Erste Folge")
    for path in (show.file, episode / "episode.toml"):
        comments = [line.split("#", 1)[1] for line in path.read_text(encoding="utf-8").splitlines() if "#" in line]
        assert len(comments) >= 5
        english = [c for c in comments if re.search(r"\b(the|and|is|are|of|this|or give)\b", c)]
        assert not english, (path.name, english)
    assert show.file.read_text(encoding="utf-8").startswith("# Einstellungen der Show für audiokit.")

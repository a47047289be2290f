"""``audiokit master``: master one recording, one file per speaker, or an episode folder."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..config.schema import DENOISE_LEVELS
from ..errors import ConfigError
from ..i18n import _
from ..mastering import FORMAT_NAMES, PRESETS, MasteringSettings, episode_settings
from ..outputs import check_output_file
from ..workspace import EPISODE_FILE, load_episode, load_show
from .main import echo_result, out_option, progress_factory


def _output(inputs: list[Path], out: Path | None, settings: MasteringSettings) -> Path:
    """Where a file master goes: --out (a file, or a folder), else beside the first input."""
    suffix = f".{settings.format}"
    stem = inputs[0].stem + ("-mix" if len(inputs) > 1 else "") + "-master"
    if out is None:
        target = inputs[0].parent / f"{stem}{suffix}"
    elif out.is_dir() or not out.suffix:
        target = out / f"{stem}{suffix}"
    elif out.suffix.lower() != suffix:
        raise ConfigError(
            _("--out {out} does not end in {suffix}").format(out=out, suffix=suffix),
            _("name it *{suffix} or pass --format").format(suffix=suffix),
        )
    else:
        target = out
    return check_output_file(target, inputs)


@click.command(
    epilog=_("Presets: ") + "; ".join(f"{p.name}: {_(p.description)}" for p in PRESETS.values()) + ".",
    help=_(
        "Master INPUTS to a loudness target: one recording, one file per speaker (mixed down), or an "
        "episode folder (its show.toml/episode.toml [mastering] settings, tags and chapters apply).\n\n"
        "The sources are only read; the output is written atomically."
    ),
)
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--preset", type=click.Choice(list(PRESETS)), help=_("Loudness preset [show setting, else podcast]."))
@click.option("--target", type=float, help=_("Integrated loudness in LUFS [from the preset]."))
@click.option("--true-peak", type=float, help=_("True-peak ceiling in dBTP [from the preset]."))
@click.option("--format", "fmt", type=click.Choice(FORMAT_NAMES), help=_("Output format [mp3, or as --out ends]."))
@click.option("--bitrate", type=int, help=_("kbit/s for mp3, m4a, opus [64 mono, 128 stereo; opus 48/64]."))
@click.option("--sample-rate", type=int, help=_("Output sample rate [the recording's]."))
@click.option("--mono/--stereo", "mono", default=None, help=_("Channel layout [from the preset]."))
@click.option("--no-level", is_flag=True, help=_("Switch off the speech leveller."))
@click.option(
    "--denoise", type=click.Choice(DENOISE_LEVELS), help=_("Noise and reverb reduction [show setting, else light].")
)
@out_option(_("Output file or folder [beside the input; for an episode: EPISODE/master/]."))
@click.option("--print-stats", is_flag=True, help=_("Print the loudness statistics as JSON instead of the path."))
@click.pass_context
def master(
    ctx: click.Context,
    inputs: tuple[Path, ...],
    preset: str | None,
    target: float | None,
    true_peak: float | None,
    fmt: str | None,
    bitrate: int | None,
    sample_rate: int | None,
    mono: bool | None,
    no_level: bool,
    denoise: str | None,
    out: Path | None,
    print_stats: bool,
) -> None:
    from ..mastering import master_episode, master_file, master_tracks  # numpy/scipy load only here
    from ..mastering.episode import audio_name
    from ..mastering.manifest import MANIFEST

    if fmt is None and out is not None and out.suffix[1:].lower() in FORMAT_NAMES:
        fmt = out.suffix[1:].lower()
    overrides = {
        "target": target,
        "true_peak": true_peak,
        "format": fmt,
        "bitrate": bitrate,
        "sample_rate": sample_rate,
        "channels": None if mono is None else 1 if mono else 2,
        "leveller": False if no_level else None,
        "denoise": denoise,
    }
    progress = progress_factory(ctx)
    paths = list(inputs)
    if len(paths) == 1 and (paths[0] / EPISODE_FILE).is_file():
        folder = paths[0].resolve()
        if out is not None and (out.is_file() or out.suffix[1:].lower() in FORMAT_NAMES):
            raise ConfigError(
                _("--out {out} is a file; an episode is mastered into a folder").format(out=out),
                _("give a folder for --out (the audio is named after the episode)"),
            )
        episode = load_episode(load_show(folder.parent), folder)
        settings = episode_settings(episode, **({"preset": preset} if preset else {}), **overrides)
        out_dir = out or folder / "master"
        for name in (audio_name(episode, settings), MANIFEST):
            check_output_file(out_dir / name, episode.audio_inputs)
        manifest = master_episode(episode, out_dir, settings, progress=progress)
        stats, path = manifest.to_json().rstrip(), out_dir / manifest.audio
    else:
        if any(p.is_dir() for p in paths):
            raise ConfigError(
                _("{value} is a folder, not an audio file").format(value=next(p for p in paths if p.is_dir())),
                _("give audio files, or one episode folder (with {EPISODE_FILE}) alone").format(
                    EPISODE_FILE=EPISODE_FILE
                ),
            )
        settings = MasteringSettings.from_preset(preset or "podcast", **overrides)
        target_path = _output(paths, out, settings)
        if len(paths) == 1:
            result = master_file(paths[0], target_path, settings, progress=progress)
        else:
            result = master_tracks(paths, target_path, settings, progress=progress)
        stats, path = json.dumps(result.manifest(), indent=1, ensure_ascii=False), result.path
    echo_result(stats if print_stats else path)

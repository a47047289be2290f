"""Produce the demo show's recording and host voice sample with espeak-ng (run once; output is committed).

python scripts/make_demo.py episodes
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from helpers_ffmpeg import encode_opus  # noqa: E402
from synth import Turn, Voice, dialogue, mix, speak, write_wav  # noqa: E402

VOICES = {
    "host": Voice("edward", pitch=40, speed=150),
    "guest1": Voice("klatt3", pitch=65, speed=145, gain_db=-10.0),  # the quiet headset guest
    "guest2": Voice("m4", pitch=30, speed=155, gain_db=-2.0),
}

TURNS = [
    Turn(
        "host",
        "Hallo und herzlich willkommen zum Werkgespräch. Heute geht es um die elektronische Patientenakte im Alltag einer Hausarztpraxis.",
    ),
    Turn(
        "host",
        "Zu Gast ist Jana Albers von der Praxisgemeinschaft Nordstadt. Außerdem begrüße ich Tobias Reimann vom Landesverband der Apotheken.",
    ),
    Turn(
        "guest1",
        "Danke für die Einladung. Bei uns läuft die Akte seit dem Frühjahr, und die ersten Wochen waren ehrlich gesagt mühsam.",
    ),
    Turn("host", "Was hat denn am meisten Zeit gekostet?"),
    Turn("guest1", "Vor allem die Anmeldung mit der Karte und die langsamen Verbindungen zur Telematikinfrastruktur."),
    Turn(
        "guest2",
        "Das kennen wir aus den Apotheken auch. Das elektronische Rezept hat uns aber gezeigt, dass es nach einer Eingewöhnung schneller geht.",
    ),
    Turn("host", "Welchen Rat geben Sie Praxen, die jetzt anfangen?"),
    Turn("guest2", "Klein beginnen, das Team früh schulen und Probleme sofort an den Dienstleister melden."),
    Turn("host", "Vielen Dank an Sie beide. Das nächste Werkgespräch hören Sie in zwei Wochen."),
]

SAMPLE = (
    "Mein Name ist Clara Vogt. Ich moderiere die Werkgespräche und freue mich auf jede Runde "
    "mit Menschen, die das Gesundheitswesen digitaler machen wollen."
)


def main(show: Path) -> None:
    tracks, timed = dialogue(TURNS, VOICES, pause=0.6, noise_db=-62.0)
    with tempfile.TemporaryDirectory() as tmp:
        wav = write_wav(Path(tmp) / "mix.wav", mix(tracks))
        encode_opus(wav, show / "001-epa-im-praxisalltag" / "aufnahme.opus", "48k")
        sample = write_wav(Path(tmp) / "sample.wav", speak(SAMPLE, VOICES["host"]))
        (show / "voices").mkdir(exist_ok=True)
        encode_opus(sample, show / "voices" / "clara-vogt.opus", "32k")
    for turn in timed:
        print(f"{turn.start:6.2f} {turn.end:6.2f} {turn.speaker}: {turn.text}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))

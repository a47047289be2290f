"""Export Resemblyzer's voice encoder to ONNX once (the output is committed); verify it on real speech.

    pip install torch==2.13.0          # CPU build; never plain `torch` (multi-GB CUDA download)
    pip install --no-deps resemblyzer==0.1.4
    pip install librosa webrtcvad-wheels onnx   # Resemblyzer's preprocessing; the exporter
    python scripts/export_voice_encoder.py [src/audiokit/assets/voice_encoder.onnx]

Provenance and licence: the weights are ``resemblyzer/pretrained.pt`` from the Resemblyzer 0.1.4
wheel on PyPI (Resemble AI, https://github.com/resemble-ai/Resemblyzer), a GE2E speaker encoder
(3-layer LSTM of 256 units on 40 mel bands of 16 kHz audio, 256-dim output), released under the
Apache License 2.0. The exported file is a derivative of those weights and is distributed under
the same licence.

The graph takes centred power spectra (batch, frames, 201) as audiokit.speakers.embeddings computes
them and applies librosa's 40-band Slaney mel matrix (the one Resemblyzer uses, stored as a
constant), the LSTM, the linear layer, ReLU and the L2 norm. Batch and frame count are dynamic.

Verification: on the demo show's speech (episodes/), every partial embedding and every utterance
embedding from numpy spectra + onnxruntime must equal Resemblyzer's ``embed_utterance`` (librosa
mel + PyTorch) within 1e-4; the script fails otherwise.
"""

from __future__ import annotations

import sys
from pathlib import Path

import librosa
import numpy as np
import torch
from resemblyzer import VoiceEncoder as TorchEncoder
from resemblyzer import hparams, preprocess_wav

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
from audiokit.ffmpeg import stream_pcm  # noqa: E402
from audiokit.speakers import embeddings as encoder  # noqa: E402

TOLERANCE = 1e-4
SPEECH = [
    ROOT / "episodes" / "voices" / "clara-vogt.opus",
    ROOT / "episodes" / "001-epa-im-praxisalltag" / "aufnahme.opus",
]


class Exportable(torch.nn.Module):
    """Resemblyzer's forward pass, preceded by the mel projection."""

    def __init__(self, source: TorchEncoder) -> None:
        super().__init__()
        self.lstm, self.linear = source.lstm, source.linear
        mel = librosa.filters.mel(sr=hparams.sampling_rate, n_fft=encoder.N_FFT, n_mels=hparams.mel_n_channels)
        self.register_buffer("mel", torch.from_numpy(mel.T.astype(np.float32)))

    def forward(self, spectrogram: torch.Tensor) -> torch.Tensor:
        _, (hidden, _) = self.lstm(spectrogram @ self.mel)
        raw = torch.relu(self.linear(hidden[-1]))
        return raw / torch.linalg.vector_norm(raw, dim=1, keepdim=True).clamp_min(1e-12)


def export(target: Path) -> TorchEncoder:
    source = TorchEncoder("cpu", verbose=False).eval()
    model = Exportable(source).eval()
    dummy = torch.rand(2, encoder.PARTIAL_FRAMES, encoder.N_FFT // 2 + 1)
    torch.onnx.export(
        model,
        (dummy,),
        str(target),
        dynamo=False,
        opset_version=17,
        input_names=["spectrogram"],
        output_names=["embedding"],
        dynamic_axes={"spectrogram": {0: "batch", 1: "frames"}, "embedding": {0: "batch"}},
    )
    return source


def verify(source: TorchEncoder) -> float:
    onnx = encoder.VoiceEncoder()
    worst = 0.0
    for path in SPEECH:
        wav = np.concatenate([b[:, 0] for b in stream_pcm(path, sample_rate=encoder.RATE, channels=1)])
        wav = preprocess_wav(wav)
        reference, partials, wav_slices = source.embed_utterance(wav, return_partials=True)
        padded = np.pad(wav, (0, max(0, wav_slices[-1].stop - len(wav))))
        spectra = encoder.spectrogram(padded)
        frames = [spectra[s.start // encoder.HOP : s.start // encoder.HOP + encoder.PARTIAL_FRAMES] for s in wav_slices]
        ours = onnx.embed(np.stack(frames))
        mean = ours.mean(axis=0)
        mean /= np.linalg.norm(mean)
        error = max(float(np.abs(ours - partials).max()), float(np.abs(mean - reference).max()))
        print(f"{path.name}: {len(frames)} partials, max |onnx - resemblyzer| = {error:.2e}")
        worst = max(worst, error)
    return worst


def main() -> None:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "src" / "audiokit" / "assets" / "voice_encoder.onnx"
    source = export(target)
    print(f"wrote {target} ({target.stat().st_size:,} bytes)")
    worst = verify(source)
    if worst > TOLERANCE:
        sys.exit(f"FAILED: embeddings differ by {worst:.2e} (> {TOLERANCE})")
    print(f"OK: ONNX embeddings equal Resemblyzer's within {TOLERANCE}")


if __name__ == "__main__":
    main()

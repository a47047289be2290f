"""The GE2E speaker encoder (Resemblyzer's weights, exported to ONNX) run with onnxruntime.

Input features match Resemblyzer's preprocessing: 16 kHz audio, 25 ms Hann window, 10 ms hop,
power spectrum (librosa's centred STFT). The 40-band mel projection, the 3-layer LSTM, the
projection and the L2 norm live in the ONNX graph (``assets/voice_encoder.onnx``, made by
``scripts/export_voice_encoder.py``), so no PyTorch or librosa is needed at run time.
"""

from __future__ import annotations

import functools
from importlib import resources

import numpy as np

from ..errors import ModelError

RATE = 16000
N_FFT = 400  # 25 ms
HOP = 160  # 10 ms
PARTIAL_FRAMES = 160  # 1.6 s, the length Resemblyzer embeds
TARGET_DBFS = -30.0  # Resemblyzer normalises utterances to this level
MODEL_FILE = "assets/voice_encoder.onnx"
_WINDOW = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)  # periodic Hann


def power_frames(samples: np.ndarray) -> np.ndarray:
    """Power spectra (frames, 201) of every full 400-sample frame of ``samples``, 160 samples apart."""
    if len(samples) < N_FFT:
        return np.zeros((0, N_FFT // 2 + 1), np.float32)
    frames = np.lib.stride_tricks.sliding_window_view(samples, N_FFT)[::HOP]
    spectrum = np.fft.rfft(frames * _WINDOW, axis=1)
    return (spectrum.real**2 + spectrum.imag**2).astype(np.float32)


def spectrogram(wav: np.ndarray) -> np.ndarray:
    """Centred power spectrogram of a whole clip, frame ``t`` centred on sample ``160 t`` (librosa's)."""
    pad = np.zeros(N_FFT // 2, np.float32)
    return power_frames(np.concatenate([pad, np.asarray(wav, np.float32), pad]))


class SpectrogramStream:
    """The same centred spectrogram computed block by block, keeping only the tail of an unfinished frame."""

    def __init__(self) -> None:
        self.tail = np.zeros(N_FFT // 2, np.float32)

    def push(self, block: np.ndarray) -> np.ndarray:
        """Spectra of the frames completed by ``block`` (a 1-D float32 array)."""
        data = np.concatenate([self.tail, block])
        spectra = power_frames(data)
        self.tail = data[len(spectra) * HOP :]
        return spectra

    def close(self) -> np.ndarray:
        """Spectra of the last frames (the end is zero-padded like librosa's)."""
        return self.push(np.zeros(N_FFT // 2, np.float32))


def level_gain(mean_square: float) -> float:
    """Power gain that brings audio of ``mean_square`` (full scale 1.0) to Resemblyzer's -30 dBFS."""
    if mean_square <= 1e-12:
        return 1.0
    return float(10 ** (TARGET_DBFS / 10) / mean_square)


class VoiceEncoder:
    """Spectra in, 256-dim L2-normalised voice embeddings out; onnxruntime on at most ``threads`` threads."""

    def __init__(self, threads: int = 2) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = max(1, threads)
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        try:
            model = resources.files("audiokit").joinpath(MODEL_FILE).read_bytes()
            self.session = onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])
        except (OSError, RuntimeError, ValueError) as exc:  # onnxruntime raises its own RuntimeError subclasses
            raise ModelError(
                f"the speaker encoder model cannot be loaded ({exc})",
                "reinstall audiokit; the file audiokit/assets/voice_encoder.onnx is part of it",
            ) from exc

    def embed(self, spectra: np.ndarray) -> np.ndarray:
        """Embeddings (batch, 256) of ``spectra`` (batch, frames, 201), all of one length."""
        if len(spectra) == 0:
            return np.zeros((0, 256), np.float32)
        (out,) = self.session.run(None, {"spectrogram": np.ascontiguousarray(spectra, np.float32)})
        return out


@functools.lru_cache(maxsize=1)
def default_encoder() -> VoiceEncoder:
    """One shared encoder per process (loading takes a moment)."""
    return VoiceEncoder()

"""Batch size of the Whisper decoder: explicit settings win; "auto" is 8 clips on the CPU and, on
CUDA, what the card's free memory holds for the model."""

from msgspec.structs import replace

from audiokit.transcription import TranscriptionSettings
from audiokit.transcription.asr import MAX_GPU_BATCH, batch_size, gpu_batch_size


def test_gpu_batch_grows_with_free_memory_and_shrinks_with_the_model() -> None:
    sizes = [gpu_batch_size(mb, "whisper-base") for mb in (0, 500, 2000, 8000, 80000)]
    assert sizes == sorted(sizes) and sizes[0] == 1 and sizes[-1] == MAX_GPU_BATCH
    assert gpu_batch_size(8000, "large-v3") < gpu_batch_size(8000, "small") < gpu_batch_size(8000, "base")
    assert gpu_batch_size(8000, "some-fine-tune") == gpu_batch_size(8000, "large")  # unknown size: the largest


def test_auto_batch_on_cpu_and_without_a_card() -> None:
    auto = replace(TranscriptionSettings(), batch_size=None)
    assert batch_size(auto, "cpu", "base") == 8
    assert batch_size(auto, "cuda", "base") == 8  # no NVIDIA driver on this machine: NVML fails, CPU default
    for explicit in (0, 3):
        assert batch_size(replace(auto, batch_size=explicit), "cuda", "base") == explicit

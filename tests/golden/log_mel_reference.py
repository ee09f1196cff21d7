#!/usr/bin/python3
"""Golden log-mel values from torchaudio (Debian python3-torchaudio), for
tests/golden/log_mel_golden_test.cpp.

  log_mel_reference.py IN.wav OUT.safetensors
reads a 16-bit PCM wav (espeak-ng writes 22,050 Hz mono), resamples it to 16 kHz with
torchaudio.functional.resample, and writes `samples` [N] (what the engine will transform) and
`log_mel` [frames, 80] = log(max(MelSpectrogram(...)(samples), 1e-10)) with MODEL.md's settings.
"""
import os
import sys
import wave

import torch
import torchaudio

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "reference"))
from egmf_reference import write_safetensors  # noqa: E402


def main():
    source, target = sys.argv[1], sys.argv[2]
    with wave.open(source, "rb") as w:
        assert w.getsampwidth() == 2, "16-bit PCM expected"
        rate, channels = w.getframerate(), w.getnchannels()
        pcm = torch.frombuffer(bytearray(w.readframes(w.getnframes())), dtype=torch.int16)
    samples = pcm.float().view(-1, channels).mean(1) / 32768.0
    samples = torchaudio.functional.resample(samples, rate, 16000)
    mel = torchaudio.transforms.MelSpectrogram(
        sample_rate=16000, n_fft=400, win_length=400, hop_length=160, f_min=0.0, f_max=8000.0,
        n_mels=80, window_fn=torch.hann_window, power=2.0, normalized=False, center=True,
        pad_mode="reflect", onesided=True, norm=None, mel_scale="htk")(samples)
    log_mel = torch.log(torch.clamp(mel, min=1e-10)).transpose(0, 1).contiguous()
    write_safetensors(target, {"samples": samples.contiguous(), "log_mel": log_mel})


if __name__ == "__main__":
    main()

#pragma once
// The audio features of MODEL.md 1: an 80-bin log-mel spectrogram computed exactly as
// torchaudio.transforms.MelSpectrogram does with n_fft 400, a periodic Hann window, hop 160,
// center=True with reflect padding, power 2, HTK mel scale without norm over 0-8000 Hz, then
// log(max(x, 1e-10)). Every number comes from LogMelOptions (the manifest's audio section), and
// the filterbank is built once per options. Device- and dtype-agnostic: samples may live anywhere.

#include "model/torch_nn.h"

namespace egmf::features {

struct LogMelOptions {
    int sampleRateHz = 16000;
    int fftSize = 400;
    int hopLength = 160;
    int melBins = 80;
    double minFrequencyHz = 0.0;
    double maxFrequencyHz = 8000.0;
    double floor = 1e-10;
};

class LogMelSpectrogram {
public:
    explicit LogMelSpectrogram(const LogMelOptions& options = {});

    /// samples [N] (16 kHz mono) -> [frames, melBins] with frames = N / hop + 1 (center=True).
    /// Fewer samples than fftSize / 2 + 1 cannot be reflect-padded: that gives 0 frames.
    at::Tensor compute(const at::Tensor& samples) const;

    /// The triangular HTK filterbank [fftSize / 2 + 1, melBins], as torchaudio.functional.melscale_fbanks.
    const at::Tensor& filterbank() const { return m_filterbank; }

private:
    LogMelOptions m_options;
    at::Tensor m_filterbank;  ///< float32 on CPU; moved to the samples' device on use
    at::Tensor m_window;      ///< periodic Hann, float32 on CPU
};

}  // namespace egmf::features

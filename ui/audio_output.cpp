#include "audio_output.h"

#include <QAudioDevice>
#include <QAudioSink>
#include <QIODevice>
#include <QMediaDevices>
#include <algorithm>
#include <cstring>

namespace egmf::ui {

/// What the sink pulls: the samples from a position while playing, else silence. Read on the
/// sink's thread, which is the thread that made it (the UI thread), so no lock is needed.
class PcmSource : public QIODevice {
public:
    explicit PcmSource(const QAudioFormat& format, QObject* parent) : QIODevice(parent), m_format(format) {}
    /// From now on the samples follow what was already given (silence until now).
    void play(const std::vector<float>* samples, std::size_t from) {
        m_samples = samples;
        m_position = from;
        m_playMark = m_total;
    }
    void silence() { m_samples = nullptr; }
    bool playing() const { return m_samples != nullptr; }
    /// Frames given to the sink before the samples of the current play() began.
    std::int64_t playMark() const { return m_playMark; }
    bool isSequential() const override { return true; }
    qint64 bytesAvailable() const override { return std::numeric_limits<int>::max(); }

protected:
    qint64 readData(char* data, qint64 maxBytes) override {
        const int bytesPerFrame = m_format.bytesPerFrame();
        const auto frames = static_cast<std::size_t>(maxBytes / bytesPerFrame);
        std::memset(data, 0, frames * static_cast<std::size_t>(bytesPerFrame));
        if (m_samples) {
            const auto available = m_position < m_samples->size() ? m_samples->size() - m_position : 0;
            const auto n = std::min(frames, available);
            const float* in = m_samples->data() + m_position;
            if (m_format.sampleFormat() == QAudioFormat::Float) {
                std::memcpy(data, in, n * sizeof(float));
            } else {
                auto* out = reinterpret_cast<std::int16_t*>(data);
                for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::int16_t>(std::clamp(in[i], -1.0f, 1.0f) * 32767.0f);
            }
            m_position += n;
        }
        m_total += static_cast<std::int64_t>(frames);
        return static_cast<qint64>(frames) * bytesPerFrame;
    }
    qint64 writeData(const char*, qint64) override { return -1; }

private:
    QAudioFormat m_format;
    const std::vector<float>* m_samples = nullptr;
    std::size_t m_position = 0;
    std::int64_t m_total = 0, m_playMark = 0;
};

AudioOutput::AudioOutput(QObject* parent) : QObject(parent) {
    const auto device = QMediaDevices::defaultAudioOutput();
    if (device.isNull()) {
        m_reason = QStringLiteral("no audio output device: playing muted on the wall clock");
        return;
    }
    m_format.setSampleRate(std::clamp(device.preferredFormat().sampleRate(), 8000, 192000));
    m_format.setChannelCount(1);
    m_format.setSampleFormat(QAudioFormat::Float);
    if (!device.isFormatSupported(m_format)) m_format.setSampleFormat(QAudioFormat::Int16);
    if (!device.isFormatSupported(m_format)) {
        m_reason = QStringLiteral("the audio device takes neither float nor 16-bit mono: playing muted on the wall clock");
        return;
    }
    m_available = true;
}

AudioOutput::~AudioOutput() {
    if (m_sink) m_sink->stop();
}

bool AudioOutput::ensureRunning() {
    if (m_sink) return true;
    m_source = new PcmSource(m_format, this);
    m_source->open(QIODevice::ReadOnly);
    m_sink = std::make_unique<QAudioSink>(QMediaDevices::defaultAudioOutput(), m_format);
    m_sink->setVolume(m_volume);
    m_sink->start(m_source);
    if (m_sink->error() != QAudio::NoError) {
        m_reason = QStringLiteral("the audio device did not start (error %1): playing muted on the wall clock").arg(int(m_sink->error()));
        m_available = false;
        m_sink.reset();
        return false;
    }
    return true;
}

bool AudioOutput::play(const std::vector<float>* samples, std::size_t from) {
    if (!m_available || !ensureRunning()) return false;
    m_source->play(samples, from);
    return true;
}

void AudioOutput::stop() {
    if (m_source) m_source->silence();
}

void AudioOutput::setVolume(double volume) {
    m_volume = std::clamp(volume, 0.0, 1.0);
    if (m_sink) m_sink->setVolume(m_volume);
}

std::optional<double> AudioOutput::playedSeconds() const {
    if (!m_sink || !m_source->playing()) return std::nullopt;
    // The device's processed time counts everything since the sink started; the samples of this
    // play() begin after the silence given before it.
    const double mark = static_cast<double>(m_source->playMark()) / m_format.sampleRate();
    return std::max(0.0, static_cast<double>(m_sink->processedUSecs()) / 1e6 - mark);
}

void AudioOutput::warmUp() {
    if (m_available) ensureRunning();
}

}  // namespace egmf::ui

#include "audio_output.h"

#include <QAudioDevice>
#include <QAudioSink>
#include <QMediaDevices>
#include <algorithm>
#include <cstring>

namespace egmf::ui {

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
        m_format = device.preferredFormat();
        m_format.setChannelCount(1);
    }
    m_available = true;
}

AudioOutput::~AudioOutput() { stop(); }

bool AudioOutput::play(const std::vector<float>& samples, std::size_t from) {
    stop();
    if (!m_available) return false;
    from = std::min(from, samples.size());
    const auto count = samples.size() - from;
    if (m_format.sampleFormat() == QAudioFormat::Float) {
        m_bytes.resize(static_cast<qsizetype>(count * sizeof(float)));
        std::memcpy(m_bytes.data(), samples.data() + from, count * sizeof(float));
    } else {
        m_bytes.resize(static_cast<qsizetype>(count * sizeof(std::int16_t)));
        auto* out = reinterpret_cast<std::int16_t*>(m_bytes.data());
        for (std::size_t i = 0; i < count; ++i) out[i] = static_cast<std::int16_t>(std::clamp(samples[from + i], -1.0f, 1.0f) * 32767.0f);
    }
    m_buffer.setBuffer(&m_bytes);
    m_buffer.open(QIODevice::ReadOnly);
    m_sink = std::make_unique<QAudioSink>(QMediaDevices::defaultAudioOutput(), m_format);
    m_sink->setVolume(m_volume);
    m_sink->start(&m_buffer);
    if (m_sink->error() != QAudio::NoError) {
        m_reason = QStringLiteral("the audio device did not start (error %1): playing muted on the wall clock").arg(int(m_sink->error()));
        m_available = false;
        stop();
        return false;
    }
    return true;
}

void AudioOutput::stop() {
    if (m_sink) {
        m_sink->stop();
        m_sink.reset();
    }
    if (m_buffer.isOpen()) m_buffer.close();
}

void AudioOutput::setVolume(double volume) {
    m_volume = std::clamp(volume, 0.0, 1.0);
    if (m_sink) m_sink->setVolume(m_volume);
}

std::optional<double> AudioOutput::playedSeconds() const {
    if (!m_sink) return std::nullopt;
    return static_cast<double>(m_sink->processedUSecs()) / 1e6;
}

}  // namespace egmf::ui

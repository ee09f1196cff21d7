#pragma once
// The player's sound: QAudioSink pulling from one clip's samples (mono float, or 16-bit where
// the device wants it). It is also the master clock: playedSeconds() is what the device has
// consumed since play(). Without an output device (or when the sink fails to start: TOOLCHAIN.md,
// Qt Multimedia) available() is false and the player runs muted on the wall clock.

#include <QAudioFormat>
#include <QBuffer>
#include <QObject>
#include <memory>
#include <optional>
#include <vector>

class QAudioSink;

namespace egmf::ui {

class AudioOutput : public QObject {
    Q_OBJECT
public:
    explicit AudioOutput(QObject* parent = nullptr);
    ~AudioOutput() override;
    /// A device exists and a sink could start on it.
    bool available() const { return m_available; }
    /// Why there is no sound, for the status bar ("" when there is).
    QString unavailableReason() const { return m_reason; }
    int sampleRate() const { return m_format.sampleRate(); }

    /// Plays `samples` (mono, sampleRate()) from index `from`; false when the sink did not start
    /// (then available() turns false and the reason says why).
    bool play(const std::vector<float>& samples, std::size_t from);
    void stop();
    void setVolume(double volume);
    /// Seconds of the buffer the device has consumed since play(); none when not playing.
    std::optional<double> playedSeconds() const;

private:
    QAudioFormat m_format;
    std::unique_ptr<QAudioSink> m_sink;
    QByteArray m_bytes;
    QBuffer m_buffer;
    bool m_available = false;
    QString m_reason;
    double m_volume = 1.0;
};

}  // namespace egmf::ui

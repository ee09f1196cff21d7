#pragma once
// The player's sound: one QAudioSink, started once and kept running, pulling from a source that
// gives the dialogue's samples while playing and silence while paused (a sound server takes up
// to a second to start a stream, measured with PulseAudio; a running one answers at once). It is
// also the master clock: playedSeconds() is the device's processed time since the samples of
// play() reached it (after the silence queued before them). Without an output device (or when the sink fails:
// TOOLCHAIN.md, Qt Multimedia) available() is false and the player runs muted on the wall clock.

#include <QAudioFormat>
#include <QObject>
#include <memory>
#include <optional>
#include <vector>

class QAudioSink;

namespace egmf::ui {

class PcmSource;

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

    /// Plays `samples` (mono, sampleRate(); kept alive by the caller) from index `from`; false
    /// when the sink is not running (then available() turns false and the reason says why).
    bool play(const std::vector<float>* samples, std::size_t from);
    /// Starts the sink (playing silence) so that the first play() does not wait for the device.
    void warmUp();
    /// Back to silence (the sink keeps running).
    void stop();
    void setVolume(double volume);
    /// Seconds of the samples the device has taken since play(); none when not playing.
    std::optional<double> playedSeconds() const;

private:
    bool ensureRunning();
    QAudioFormat m_format;
    std::unique_ptr<QAudioSink> m_sink;
    PcmSource* m_source = nullptr;
    bool m_available = false;
    QString m_reason;
    double m_volume = 1.0;
};

}  // namespace egmf::ui

#pragma once
// DialogueAudio: the sound of a whole dialogue as one stream. Every clip's range (silence where a
// clip has none) is decoded on a worker thread into one buffer, stretched to the playing speed,
// and played by one AudioOutput, whose position is the player's master clock: the cut to the
// next clip never restarts the sound device. Until the buffer is ready, and without a device,
// the player runs on the wall clock (muted).

#include <QObject>
#include <future>
#include <optional>
#include <vector>

#include "dialogue_clips.h"

namespace egmf::ui {

class AudioOutput;

class DialogueAudio : public QObject {
    Q_OBJECT
public:
    explicit DialogueAudio(QObject* parent = nullptr);
    ~DialogueAudio() override;

    /// A sound device exists; else why not (for the status bar).
    bool available() const;
    QString unavailableReason() const;
    void setVolume(double volume);

    /// Stops, forgets the sound it has and starts decoding these clips' (in the background).
    void decode(const DialogueClips& clips);
    /// Takes the decoded sound once the worker is done; true the first time it is taken.
    bool adoptDecoded(double speed);
    /// Stretches the sound to a new speed; the error when it cannot (the old stretch stays).
    std::optional<QString> setSpeed(double speed);
    /// Plays from dialogue time `seconds` at `speed`; false when there is nothing to play or
    /// the device refuses.
    bool play(double seconds, double speed);
    void stop();
    /// Seconds of the sound the device has played since play(); none when not playing.
    std::optional<double> playedSeconds() const;

private:
    AudioOutput* m_output;
    std::future<std::vector<float>> m_pending;  ///< the dialogue's sound, being decoded
    std::vector<float> m_sound;                 ///< at speed 1, at the device's rate
    std::vector<float> m_stretched;             ///< at the current speed
};

}  // namespace egmf::ui

#pragma once
// DialogueClips: the clips of one dialogue as the player plays them, one after another. A value:
// probed once when the dialogue is shown (duration, frame rate, streams), then read by the player,
// the timeline and the video widget. Dialogue time is the sum of the clips before; each clip's
// start in it is kept, so mapping a time to a clip costs a search, not a sum per tick.

#include <QString>
#include <vector>

namespace egmf::ui {

struct PlayerClip {
    QString path;  ///< empty: no clip (the utterance is shown for `durationSec` as text)
    /// The range of the file that is this utterance (a transcript cue in a long clip); clip
    /// time 0 is `startSec`. endSec 0: to the end of the file.
    double startSec = 0, endSec = 0;
    double durationSec = 0;
    double framesPerSecond = 25;
    bool hasVideo = true;  ///< false for a sound-only clip: it plays its audio, with no picture stream
    QString error;         ///< why the clip cannot be played, when it cannot
};

/// A place in a dialogue: an utterance and seconds into its clip.
struct ClipPosition {
    int utterance = -1;
    double clipTime = 0;
};

class DialogueClips {
public:
    DialogueClips() = default;
    /// Clips whose durations are known (probe() fills them from the files).
    explicit DialogueClips(std::vector<PlayerClip> clips);
    /// Fills each clip's duration (its range's, or the file's), frame rate and error by probing.
    static DialogueClips probe(std::vector<PlayerClip> clips);

    std::size_t size() const { return m_clips.size(); }
    bool empty() const { return m_clips.empty(); }
    const PlayerClip& operator[](std::size_t utterance) const { return m_clips[utterance]; }
    const std::vector<PlayerClip>& all() const { return m_clips; }
    /// Dialogue time where the utterance starts (the whole duration past the last one).
    double start(int utterance) const;
    double duration() const { return m_starts.back(); }
    /// The clip that plays at `dialogueSeconds` (the last one past the end; none when empty).
    ClipPosition locate(double dialogueSeconds) const;

private:
    std::vector<PlayerClip> m_clips;
    std::vector<double> m_starts{0.0};  ///< size() + 1 entries: each clip's start, then the end
};

}  // namespace egmf::ui

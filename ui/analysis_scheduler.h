#pragma once
// What the engine analyses next, one dialogue at a time: the dialogue on screen first, then the
// one after it (continuous play moves there next), then the rest of the loaded split in order
// (the metrics panel fills as they finish). Pure bookkeeping, no Qt, no engine.

#include <optional>
#include <vector>

namespace egmf::ui {

class AnalysisScheduler {
public:
    enum class State { Waiting, Running, Done, Failed };

    void reset(int dialogueCount);
    void setFocus(int dialogue);
    /// The dialogues analysed in the background (a split's), in order.
    void setBackground(std::vector<int> dialogues);
    void mark(int dialogue, State state);
    State state(int dialogue) const;
    /// The next dialogue to start, none when everything wanted is done, failed or running.
    std::optional<int> next() const;
    /// Whether `dialogue` is wanted more urgently than `running` (a background job to cancel).
    bool outranks(int dialogue, int running) const;
    int focus() const { return m_focus; }
    /// Done and failed dialogues among the background ones, and their number.
    int backgroundFinished() const;
    int backgroundTotal() const { return static_cast<int>(m_background.size()); }

private:
    int rank(int dialogue) const;
    std::vector<State> m_states;
    std::vector<int> m_background;
    int m_focus = -1;
};

}  // namespace egmf::ui

#pragma once
// What the engine analyses next, one dialogue at a time: the dialogue on screen first, then the
// one after it (continuous play moves there next), then the rest of the loaded split in order
// (the metrics panel fills as they finish). Pure bookkeeping, no Qt, no engine; each call costs
// the same whatever the size of the split (a result must not cost the whole dataset).

#include <optional>
#include <vector>

namespace egmf::ui {

class AnalysisScheduler {
public:
    enum class State { Waiting, Running, Done, Failed };

    /// A new dataset: nothing analysed, nothing wanted.
    void reset(int dialogueCount);
    /// A new model: nothing analysed; the focus and the background stay wanted.
    void restart();
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
    int backgroundFinished() const { return m_finished; }
    int backgroundTotal() const { return static_cast<int>(m_background.size()); }

private:
    int rank(int dialogue) const;
    static bool finished(State s) { return s == State::Done || s == State::Failed; }
    std::vector<State> m_states;
    std::vector<int> m_background;
    std::vector<int> m_position;       ///< per dialogue: its place in m_background, -1 when not there
    mutable std::size_t m_cursor = 0;  ///< no waiting background dialogue before it
    int m_finished = 0;
    int m_focus = -1;
};

}  // namespace egmf::ui

#include "analysis_scheduler.h"

#include <algorithm>

namespace egmf::ui {

void AnalysisScheduler::reset(int dialogueCount) {
    m_states.assign(static_cast<std::size_t>(std::max(0, dialogueCount)), State::Waiting);
    m_background.clear();
    m_focus = -1;
}

void AnalysisScheduler::setFocus(int dialogue) { m_focus = dialogue; }

void AnalysisScheduler::setBackground(std::vector<int> dialogues) { m_background = std::move(dialogues); }

void AnalysisScheduler::mark(int dialogue, State state) {
    if (dialogue >= 0 && dialogue < static_cast<int>(m_states.size())) m_states[static_cast<std::size_t>(dialogue)] = state;
}

AnalysisScheduler::State AnalysisScheduler::state(int dialogue) const {
    if (dialogue < 0 || dialogue >= static_cast<int>(m_states.size())) return State::Failed;
    return m_states[static_cast<std::size_t>(dialogue)];
}

int AnalysisScheduler::rank(int dialogue) const {
    if (dialogue == m_focus) return 0;
    if (m_focus >= 0 && dialogue == m_focus + 1) return 1;
    const auto at = std::find(m_background.begin(), m_background.end(), dialogue);
    return at == m_background.end() ? -1 : 2 + static_cast<int>(at - m_background.begin());
}

std::optional<int> AnalysisScheduler::next() const {
    std::optional<int> best;
    int bestRank = 0;
    const auto consider = [&](int dialogue) {
        if (state(dialogue) != State::Waiting) return;
        const int r = rank(dialogue);
        if (r >= 0 && (!best || r < bestRank)) best = dialogue, bestRank = r;
    };
    consider(m_focus);
    if (m_focus >= 0) consider(m_focus + 1);
    for (int d : m_background) consider(d);
    return best;
}

bool AnalysisScheduler::outranks(int dialogue, int running) const {
    const int a = rank(dialogue), b = rank(running);
    return a >= 0 && (b < 0 || a < b);
}

int AnalysisScheduler::backgroundFinished() const {
    return static_cast<int>(std::count_if(m_background.begin(), m_background.end(), [&](int d) {
        return state(d) == State::Done || state(d) == State::Failed;
    }));
}

}  // namespace egmf::ui

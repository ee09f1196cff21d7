#include "analysis_scheduler.h"

#include <algorithm>

namespace egmf::ui {

void AnalysisScheduler::reset(int dialogueCount) {
    m_states.assign(static_cast<std::size_t>(std::max(0, dialogueCount)), State::Waiting);
    m_focus = -1;
    setBackground({});
}

void AnalysisScheduler::restart() {
    std::fill(m_states.begin(), m_states.end(), State::Waiting);
    m_cursor = 0;
    m_finished = 0;
}

void AnalysisScheduler::setFocus(int dialogue) {
    m_focus = dialogue;
}

void AnalysisScheduler::setBackground(std::vector<int> dialogues) {
    m_background = std::move(dialogues);
    m_position.assign(m_states.size(), -1);
    m_finished = 0;
    for (std::size_t i = 0; i < m_background.size(); ++i) {
        const int d = m_background[i];
        if (d < 0 || d >= static_cast<int>(m_states.size())) continue;
        m_position[static_cast<std::size_t>(d)] = static_cast<int>(i);
        m_finished += finished(m_states[static_cast<std::size_t>(d)]);
    }
    m_cursor = 0;
}

void AnalysisScheduler::mark(int dialogue, State state) {
    if (dialogue < 0 || dialogue >= static_cast<int>(m_states.size())) return;
    auto& stored = m_states[static_cast<std::size_t>(dialogue)];
    const int position = m_position.empty() ? -1 : m_position[static_cast<std::size_t>(dialogue)];
    if (position >= 0) {
        m_finished += static_cast<int>(finished(state)) - static_cast<int>(finished(stored));
        if (state == State::Waiting) m_cursor = std::min(m_cursor, static_cast<std::size_t>(position));
    }
    stored = state;
}

AnalysisScheduler::State AnalysisScheduler::state(int dialogue) const {
    if (dialogue < 0 || dialogue >= static_cast<int>(m_states.size())) return State::Failed;
    return m_states[static_cast<std::size_t>(dialogue)];
}

int AnalysisScheduler::rank(int dialogue) const {
    if (dialogue == m_focus) return 0;
    if (m_focus >= 0 && dialogue == m_focus + 1) return 1;
    if (dialogue < 0 || dialogue >= static_cast<int>(m_position.size())) return -1;
    const int position = m_position[static_cast<std::size_t>(dialogue)];
    return position < 0 ? -1 : 2 + position;
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
    // The first waiting background dialogue; those before the cursor are running or finished.
    while (m_cursor < m_background.size() && state(m_background[m_cursor]) != State::Waiting) ++m_cursor;
    if (m_cursor < m_background.size()) consider(m_background[m_cursor]);
    return best;
}

bool AnalysisScheduler::outranks(int dialogue, int running) const {
    const int a = rank(dialogue), b = rank(running);
    return a >= 0 && (b < 0 || a < b);
}

}  // namespace egmf::ui

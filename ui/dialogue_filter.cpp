#include "dialogue_filter.h"

#include "dialogue_tree_model.h"
#include "utterance_table_model.h"

namespace egmf::ui {

bool UtteranceFilter::accepts(const Utterance& u, const UtteranceResult* r) const {
    if (!text.isEmpty() && !QString::fromStdString(u.text).contains(text, Qt::CaseInsensitive)) return false;
    if (!speaker.isEmpty() && QString::fromStdString(u.speaker) != speaker) return false;
    if (!gold.isEmpty() && goldText(u) != gold) return false;
    // The criteria on predictions need a result: unanalysed utterances do not pass them.
    if (errorsOnly || !predicted.isEmpty() || maxConfidence < 1.0) {
        if (!r) return false;
        if (errorsOnly) {
            const auto ok = predictionCorrect(u, *r);
            if (!ok || *ok) return false;
        }
        if (!predicted.isEmpty() && QString::fromStdString(r->prediction) != predicted) return false;
        if (maxConfidence < 1.0) {
            const auto c = predictionConfidence(*r);
            if (!c || *c > maxConfidence) return false;
        }
    }
    return true;
}

DialogueFilterModel::DialogueFilterModel(StudioSession* session, QObject* parent) : QSortFilterProxyModel(parent), m_session(session) {
    setRecursiveFilteringEnabled(true);
    // A result or a gold edit changes its dialogue's row in the tree (dataChanged), and the proxy
    // filters that row again (dynamic filtering): the other rows cost nothing.
}

void DialogueFilterModel::setFilter(const UtteranceFilter& filter) {
    m_filter = filter;
    invalidateFilter();
}

bool DialogueFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
    const auto row = sourceModel()->index(sourceRow, 0, sourceParent);
    const int dialogue = row.data(DialogueTreeModel::DialogueRole).toInt();
    if (dialogue < 0) return !m_filter.active();  // dataset and splits: shown through their dialogues
    if (!m_filter.active()) return true;
    const auto& utterances = m_session->dataset().dialogues[static_cast<std::size_t>(dialogue)].utterances;
    for (int u = 0; u < static_cast<int>(utterances.size()); ++u) {
        if (m_filter.accepts(utterances[static_cast<std::size_t>(u)], m_session->analysis()->result({dialogue, u}))) return true;
    }
    return false;
}

}  // namespace egmf::ui

#include "dialogue_tree_model.h"

#include <QColor>
#include <QFileInfo>

#include "utterance_table_model.h"

namespace egmf::ui {
namespace {

// internalId: 0 for the dataset row, 1 + split for a split's rows (dialogues); the dataset row's
// children (splits) carry id 0 as their parent marker through kSplitLevel.
constexpr quintptr kDatasetLevel = 0;
constexpr quintptr kSplitLevel = 1;
constexpr quintptr kDialogueBase = 2;

}  // namespace

DialogueTreeModel::DialogueTreeModel(StudioSession* session, QObject* parent) : QAbstractItemModel(parent), m_session(session) {
    connect(session->annotations(), &AnnotationSession::datasetOpened, this, &DialogueTreeModel::rebuild);
    connect(session->model(), &ModelSlot::loaded, this, [this] {
        recountAll();
        if (rowCount() > 0) Q_EMIT dataChanged(index(0, 0), index(0, ColumnCount - 1));
        for (int s = 0; s < static_cast<int>(m_splitDialogues.size()); ++s) {
            const auto split = index(s, 0, index(0, 0));
            Q_EMIT dataChanged(index(s, 0, index(0, 0)), index(s, ColumnCount - 1, index(0, 0)));
            if (rowCount(split) > 0) Q_EMIT dataChanged(index(0, 0, split), index(rowCount(split) - 1, ColumnCount - 1, split));
        }
    });
    connect(session->analysis(), &AnalysisQueue::dialogueAnalysed, this, [this](int dialogue) {
        recount(dialogue);
        const auto row = indexOfDialogue(dialogue);
        if (!row.isValid()) return;
        Q_EMIT dataChanged(row, index(row.row(), ColumnCount - 1, row.parent()));
        const auto split = row.parent();
        Q_EMIT dataChanged(split, index(split.row(), ColumnCount - 1, split.parent()));
        Q_EMIT dataChanged(index(0, 0), index(0, ColumnCount - 1));
    });
    connect(session->annotations(), &AnnotationSession::goldChanged, this, [this](UtteranceRef ref) {
        recount(ref.dialogue);
        const auto row = indexOfDialogue(ref.dialogue);
        if (row.isValid()) Q_EMIT dataChanged(row, index(row.row(), ColumnCount - 1, row.parent()));
    });
    rebuild();
}

void DialogueTreeModel::rebuild() {
    beginResetModel();
    m_splitNames.clear();
    m_splitDialogues.clear();
    const auto& dialogues = m_session->dataset().dialogues;
    for (const char* name : {"train", "dev", "test", ""}) {
        std::vector<int> members;
        for (std::size_t d = 0; d < dialogues.size(); ++d) {
            if (dialogues[d].split == name) members.push_back(static_cast<int>(d));
        }
        if (members.empty()) continue;
        m_splitNames << (*name ? QString::fromLatin1(name) : QStringLiteral("(no split)"));
        m_splitDialogues.push_back(std::move(members));
    }
    m_place.assign(dialogues.size(), {-1, -1});
    for (std::size_t s = 0; s < m_splitDialogues.size(); ++s) {
        for (std::size_t row = 0; row < m_splitDialogues[s].size(); ++row) {
            m_place[static_cast<std::size_t>(m_splitDialogues[s][row])] = {static_cast<int>(s), static_cast<int>(row)};
        }
    }
    recountAll();
    endResetModel();
}

void DialogueTreeModel::recountAll() {
    m_dialogueCounts.assign(m_place.size(), Counts{});
    m_splitCounts.assign(m_splitDialogues.size(), Counts{});
    m_totalCounts = {};
    for (int d = 0; d < static_cast<int>(m_place.size()); ++d) recount(d);
}

void DialogueTreeModel::recount(int dialogue) {
    if (dialogue < 0 || dialogue >= static_cast<int>(m_place.size()) || m_place[static_cast<std::size_t>(dialogue)].first < 0) return;
    const auto now = countDialogue(dialogue);
    auto& stored = m_dialogueCounts[static_cast<std::size_t>(dialogue)];
    auto& split = m_splitCounts[static_cast<std::size_t>(m_place[static_cast<std::size_t>(dialogue)].first)];
    split -= stored, m_totalCounts -= stored;
    stored = now;
    split += stored, m_totalCounts += stored;
}

QModelIndex DialogueTreeModel::index(int row, int column, const QModelIndex& parent) const {
    if (row < 0 || column < 0 || column >= ColumnCount) return {};
    if (!parent.isValid())
        return row == 0 && !m_session->dataset().dialogues.empty() ? createIndex(row, column, kDatasetLevel) : QModelIndex();
    if (parent.internalId() == kDatasetLevel) {
        return row < static_cast<int>(m_splitDialogues.size()) ? createIndex(row, column, kSplitLevel) : QModelIndex();
    }
    if (parent.internalId() == kSplitLevel) {
        const auto& members = m_splitDialogues[static_cast<std::size_t>(parent.row())];
        return row < static_cast<int>(members.size()) ? createIndex(row, column, kDialogueBase + static_cast<quintptr>(parent.row()))
                                                      : QModelIndex();
    }
    return {};
}

QModelIndex DialogueTreeModel::parent(const QModelIndex& child) const {
    if (!child.isValid() || child.internalId() == kDatasetLevel) return {};
    if (child.internalId() == kSplitLevel) return createIndex(0, 0, kDatasetLevel);
    return createIndex(static_cast<int>(child.internalId() - kDialogueBase), 0, kSplitLevel);
}

int DialogueTreeModel::rowCount(const QModelIndex& parent) const {
    if (!parent.isValid()) return m_session->dataset().dialogues.empty() ? 0 : 1;
    if (parent.column() != 0) return 0;
    if (parent.internalId() == kDatasetLevel) return static_cast<int>(m_splitDialogues.size());
    if (parent.internalId() == kSplitLevel) return static_cast<int>(m_splitDialogues[static_cast<std::size_t>(parent.row())].size());
    return 0;
}

int DialogueTreeModel::columnCount(const QModelIndex&) const {
    return ColumnCount;
}

QVariant DialogueTreeModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount) return {};
    // Short titles: the dock is narrow, and the dialogue names need the room.
    static const char* kTitles[] = {"Dialogue", "Utt.", "Done", "Wrong"};
    static const char* kTips[] = {"dialogue (split)", "utterances", "utterances analysed", "wrong predictions"};
    if (role == Qt::DisplayRole) return QString::fromLatin1(kTitles[section]);
    if (role == Qt::ToolTipRole) return QObject::tr(kTips[section]);
    return {};
}

DialogueTreeModel::Counts DialogueTreeModel::countDialogue(int dialogue) const {
    Counts counts;
    const auto& d = m_session->dataset().dialogues[static_cast<std::size_t>(dialogue)];
    counts.utterances = static_cast<int>(d.utterances.size());
    for (int u = 0; u < counts.utterances; ++u) {
        const auto* r = m_session->analysis()->result({dialogue, u});
        if (!r) continue;
        ++counts.analysed;
        const auto ok = predictionCorrect(d.utterances[static_cast<std::size_t>(u)], *r);
        counts.wrong += ok && !*ok;
    }
    return counts;
}

QModelIndex DialogueTreeModel::indexOfDialogue(int dialogue) const {
    if (dialogue < 0 || dialogue >= static_cast<int>(m_place.size())) return {};
    const auto [split, row] = m_place[static_cast<std::size_t>(dialogue)];
    return split < 0 ? QModelIndex() : index(row, 0, index(split, 0, index(0, 0)));
}

QVariant DialogueTreeModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid()) return {};
    const auto level = index.internalId();
    const int dialogue = level >= kDialogueBase ? m_splitDialogues[level - kDialogueBase][static_cast<std::size_t>(index.row())] : -1;
    if (role == DialogueRole) return dialogue;
    const Counts& counts = level == kDatasetLevel ? m_totalCounts
                           : level == kSplitLevel ? m_splitCounts[static_cast<std::size_t>(index.row())]
                                                  : m_dialogueCounts[static_cast<std::size_t>(dialogue)];
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
            case Name:
                if (level == kDatasetLevel) return QFileInfo(m_session->annotations()->datasetPath()).fileName();
                if (level == kSplitLevel)
                    return QStringLiteral("%1 (%2)")
                        .arg(m_splitNames[index.row()])
                        .arg(m_splitDialogues[static_cast<std::size_t>(index.row())].size());
                {
                    // "train/dia3" under the "train" row reads as "dia3".
                    const auto id = QString::fromStdString(m_session->dataset().dialogues[static_cast<std::size_t>(dialogue)].id);
                    return id.mid(id.lastIndexOf('/') + 1);
                }
            case Utterances:
                return counts.utterances;
            case Analysed:
                return counts.analysed;
            case Wrong:
                return counts.analysed ? QVariant(counts.wrong) : QVariant();
            default:
                return {};
        }
    }
    if (role == Qt::ToolTipRole && dialogue >= 0) {
        const auto error = m_session->analysis()->dialogueError(dialogue);
        if (!error.isEmpty()) return error;
    }
    if (role == Qt::ForegroundRole && index.column() == Wrong && counts.wrong > 0) return QColor(200, 40, 40);
    return {};
}

}  // namespace egmf::ui

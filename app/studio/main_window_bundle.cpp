// File > Open analysis: an analysis bundle (egmf analyze --bundle, on this machine, a server or a
// cluster) shown with no model: the dataset it names is opened, its results fill the views, and
// nothing is analysed until a checkpoint is loaded. The status bar says whose results they are;
// clips that changed since they were analysed, and dialogues the dataset no longer has, are said.
#include <QFileDialog>
#include <QLabel>
#include <QStatusBar>
#include <map>

#include "egmf/app/analysis_bundle.h"
#include "main_window.h"

namespace egmf::studio {

bool MainWindow::openAnalysis(const QString& path) {
    auto contents = bundle::read(path.toStdString());
    if (!contents) {
        report(QString::fromStdString(contents.error().message));
        return false;
    }
    const auto dataset = QString::fromStdString(contents->identity.dataset);
    if (!openDataset(dataset)) {
        report(tr("%1 was made on the dataset %2, which cannot be opened here; open that dataset's copy and try again").arg(path, dataset));
        return false;
    }
    std::map<std::string, int> indexOf;
    const auto& dialogues = m_session->dataset().dialogues;
    for (int d = 0; d < static_cast<int>(dialogues.size()); ++d) indexOf[dialogues[static_cast<std::size_t>(d)].id] = d;
    std::vector<std::pair<int, DialogueResult>> results;
    int unknown = 0;
    for (auto& [id, result] : contents->dialogues) {
        const auto found = indexOf.find(id);
        if (found == indexOf.end()) {
            ++unknown;
            continue;
        }
        results.emplace_back(found->second, std::move(result));
    }
    m_session->analysis()->adopt(std::move(results));
    m_analysisFile = path;
    m_analysisCheckpoint = QString::fromStdString(contents->identity.checkpoint);
    updateStatus();
    showDialogue(m_dialogue < 0 ? 0 : m_dialogue);
    QStringList notes;
    if (!contents->complete) notes << tr("the run that made it did not finish; it holds the dialogues it finished");
    if (unknown > 0) notes << tr("%1 of its dialogues are not in the dataset now").arg(unknown);
    if (const auto changed = bundle::changedClips(*contents); !changed.empty()) {
        notes << tr("%1 clips differ from when they were analysed (e.g. %2): the results are of the clips as they were")
                     .arg(changed.size())
                     .arg(QString::fromStdString(changed.front()));
    }
    if (!notes.isEmpty()) report(tr("%1: %2").arg(QFileInfo(path).fileName(), notes.join(QStringLiteral("; "))));
    return true;
}

}  // namespace egmf::studio

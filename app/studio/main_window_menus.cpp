// The main window's menus, actions and keyboard shortcuts.
#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QKeySequence>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QUndoStack>

#include "egmf/build_info.h"
#include "egmf/dataset.h"
#include "main_window.h"
#include "ui/annotation_panel.h"
#include "ui/attention_view.h"
#include "ui/dialogue_browser.h"
#include "ui/player_controller.h"
#include "ui/prediction_panel.h"

namespace egmf::studio {

using namespace egmf::ui;

void MainWindow::buildMenus() {
    auto* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("Open &dataset..."), QKeySequence::Open, this, [this] {
        const auto path = QFileDialog::getExistingDirectory(this, tr("Open a dataset folder (MELD, MMSA) or choose a manifest CSV"));
        if (!path.isEmpty()) openDataset(path);
    });
    file->addAction(tr("Open c&lips..."), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O), this, [this] {
        const auto files =
            QFileDialog::getOpenFileNames(this, tr("Open your clips (and optionally one .srt transcript with NAME: text lines)"), {},
                                          tr("Video and transcripts (*.mp4 *.mkv *.avi *.mov *.webm *.m4v *.srt);;All files (*)"));
        if (!files.isEmpty()) openClips(files);
    });
    m_openCheckpointAction = file->addAction(tr("Open &checkpoint..."), QKeySequence(Qt::CTRL | Qt::Key_K), this, [this] {
        const auto path = QFileDialog::getExistingDirectory(this, tr("Open a checkpoint folder"));
        if (!path.isEmpty()) openCheckpoint(path);
    });
    file->addAction(tr("Open &analysis..."), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A), this, [this] {
        const auto path = QFileDialog::getOpenFileName(this, tr("Open an analysis bundle (egmf analyze --bundle)"), {},
                                                       tr("Analysis bundles (*.egmfa);;All files (*)"));
        if (!path.isEmpty()) openAnalysis(path);
    });
    file->addAction(tr("Checkpoints and &plugins..."), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K), this, [this] {
        if (auto* dock = findChild<QDockWidget*>(QStringLiteral("pluginsDock"))) {
            dock->show();
            dock->raise();
        }
    });
    file->addAction(tr("Compare with checkpoint..."), this, [this] {
        const auto path = QFileDialog::getExistingDirectory(this, tr("A second checkpoint to compare on the same dialogue"));
        if (!path.isEmpty()) compareWith(path);
    });
    auto* recent = file->addMenu(tr("&Recent"));
    connect(recent, &QMenu::aboutToShow, this, [this, recent] {
        recent->clear();
        QSettings settings;
        for (const auto& key : {QStringLiteral("recentDatasets"), QStringLiteral("recentCheckpoints")}) {
            for (const auto& path : settings.value(key).toStringList()) {
                const bool dataset = key == QStringLiteral("recentDatasets");
                auto* action = recent->addAction((dataset ? tr("Dataset: ") : tr("Checkpoint: ")) + path, this, [this, path, dataset] {
                    if (dataset)
                        openDataset(path);
                    else
                        openCheckpoint(path);
                });
                // A recent checkpoint is a file on this machine: not one the server can load.
                action->setEnabled(dataset || m_session->model()->server().isEmpty());
            }
            recent->addSeparator();
        }
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    auto* play = menuBar()->addMenu(tr("&Playback"));
    const auto add = [this, play](const QString& text, const QKeySequence& key, auto&& slot) {
        auto* action = play->addAction(text, this, slot);
        action->setShortcut(key);
        action->setShortcutContext(Qt::WindowShortcut);
        return action;
    };
    add(tr("Play / pause"), QKeySequence(Qt::Key_Space), [this] { m_player->togglePlay(); });
    add(tr("Next frame"), QKeySequence(Qt::Key_Period), [this] { m_player->stepFrame(1); });
    add(tr("Previous frame"), QKeySequence(Qt::Key_Comma), [this] { m_player->stepFrame(-1); });
    add(tr("Forward 1 s"), QKeySequence(Qt::Key_Right),
        [this] { m_player->seek(m_player->clips().locate(m_player->dialogueTime() + 1.0)); });
    add(tr("Back 1 s"), QKeySequence(Qt::Key_Left), [this] { m_player->seek(m_player->clips().locate(m_player->dialogueTime() - 1.0)); });
    add(tr("Next utterance"), QKeySequence(Qt::Key_Down | Qt::ALT), [this] { m_player->seek({m_player->position().utterance + 1, 0}); });
    add(tr("Previous utterance"), QKeySequence(Qt::Key_Up | Qt::ALT), [this] { m_player->seek({m_player->position().utterance - 1, 0}); });
    add(tr("Faster"), QKeySequence(Qt::Key_BracketRight), [this] { m_player->setSpeed(m_player->speed() + 0.25); });
    add(tr("Slower"), QKeySequence(Qt::Key_BracketLeft), [this] { m_player->setSpeed(m_player->speed() - 0.25); });
    add(tr("Next dialogue"), QKeySequence(Qt::Key_PageDown | Qt::CTRL), [this] {
        showDialogue(m_dialogue + 1);
        m_browser->selectDialogue(m_dialogue);
    });
    add(tr("Previous dialogue"), QKeySequence(Qt::Key_PageUp | Qt::CTRL), [this] {
        showDialogue(std::max(0, m_dialogue - 1));
        m_browser->selectDialogue(m_dialogue);
    });

    auto* annotate = menuBar()->addMenu(tr("&Annotate"));
    for (int i = 0; i < 9; ++i) {
        auto* action = annotate->addAction(tr("Gold: class %1").arg(i + 1), this, [this, i] { m_annotation->setGoldByIndex(i); });
        action->setShortcut(QKeySequence(Qt::Key_1 + i));
    }
    annotate->addAction(tr("Toggle reviewed"), QKeySequence(Qt::Key_R), this,
                        [this] { m_annotation->setReviewed(!m_session->annotations()->reviewed(m_annotation->utterance())); });
    annotate->addSeparator();
    auto* undo = m_undo->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    auto* redo = m_undo->createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence::Redo);
    annotate->addAction(undo);
    annotate->addAction(redo);
    annotate->addSeparator();
    annotate->addAction(tr("Re-run utterance with the ablation switches"), QKeySequence(Qt::CTRL | Qt::Key_R), this,
                        [this] { m_prediction->rerun(false); });
    annotate->addAction(tr("Re-run dialogue with the ablation switches"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R), this,
                        [this] { m_prediction->rerun(true); });

    buildEngineMenu();

    auto* view = menuBar()->addMenu(tr("&View"));
    view->addAction(tr("Search dialogues"), QKeySequence::Find, this, [this] { m_browser->searchField()->setFocus(); });
    view->addAction(tr("Attention: next head"), QKeySequence(Qt::Key_H), this, [this] {
        const int heads = m_attention->heads();
        if (heads > 0) m_attention->setHead(m_attention->head() + 1 >= heads ? -1 : m_attention->head() + 1);
    });
    view->addSeparator();
    for (auto* dock : findChildren<QDockWidget*>()) view->addAction(dock->toggleViewAction());

    auto* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("Dataset problems"), this, [this] { showDatasetProblems(); });
    help->addAction(tr("About EGMF Studio"), this, [this] {
        QMessageBox::about(this, tr("EGMF Studio"),
                           tr("EGMF Studio %1: plays dialogue clips while the EGMF model analyses them; shows predictions, "
                              "cross-modal attention and the experts' gates.")
                               .arg(QApplication::applicationVersion()));
    });
}

void MainWindow::showDatasetProblems() {
    // Counts per kind first, then a few examples of each; every line under "Show Details...".
    const auto& problems = m_session->dataset().problems;
    QStringList summary, every;
    for (const auto& group : groupProblems(problems, 5)) {
        summary << tr("%1 × %2").arg(group.count).arg(QString::fromUtf8(problemKindName(group.kind)));
    }
    for (const auto& group : groupProblems(problems, 5)) {
        summary << QString() << QString::fromUtf8(problemKindName(group.kind)) + ":";
        for (const auto* p : group.examples) summary << QString::fromStdString("  " + p->where + ": " + p->message);
        if (group.count > group.examples.size()) {
            summary << tr("  ... and %1 more (Show Details... lists every one)").arg(group.count - group.examples.size());
        }
    }
    for (const auto& p : problems) {
        every << QString::fromStdString(std::string(problemKindName(p.kind)) + ": " + p.where + ": " + p.message);
    }
    QMessageBox box(QMessageBox::Information, tr("Dataset problems"), problems.empty() ? tr("None.") : summary.join('\n'),
                    QMessageBox::Close, this);
    box.setObjectName("datasetProblems");
    if (!every.isEmpty()) box.setDetailedText(every.join('\n'));
    box.exec();
}

void MainWindow::buildEngineMenu() {
    // Where the model runs: the CPU in float32, or a GPU in bfloat16 / float16 (the LibTorch in use
    // must have CUDA: a pip wheel's, README "GPU path"). Choosing one reloads the checkpoint there.
    auto* engine = menuBar()->addMenu(tr("&Engine"));
    engine->setToolTipsVisible(true);
    m_deviceGroup = new QActionGroup(this);
    struct Choice {
        QString text, device, dtype;
        QKeySequence key;
    };
    const bool cuda = cudaAvailable();
    for (const auto& c : {Choice{tr("Run on the CPU (float32)"), QStringLiteral("cpu"), QStringLiteral("float32"),
                                 QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_1)},
                          Choice{tr("Run on the GPU (CUDA, bfloat16)"), QStringLiteral("cuda"), QStringLiteral("bfloat16"),
                                 QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_2)},
                          Choice{tr("Run on the GPU (CUDA, float16)"), QStringLiteral("cuda"), QStringLiteral("float16"),
                                 QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_3)}}) {
        auto* action = engine->addAction(c.text);
        action->setCheckable(true);
        action->setShortcut(c.key);
        action->setData(QStringList{c.device, c.dtype});
        m_deviceGroup->addAction(action);
        if (c.device == QStringLiteral("cuda") && !cuda) {
            action->setEnabled(false);
            action->setToolTip(
                tr("No GPU here: this build's LibTorch has no CUDA, or no GPU is visible. Build against a CUDA "
                   "LibTorch (README, GPU path)."));
        }
        connect(action, &QAction::triggered, this, [this, c] { switchDevice(c.device, c.dtype); });
    }
    syncDeviceMenu();
    buildServerActions(engine);
}

void MainWindow::switchDevice(const QString& device, const QString& dtype) {
    const auto path = m_session->model()->checkpointPath();
    if (path.isEmpty() || m_session->model()->loading()) {
        syncDeviceMenu();
        if (m_session->model()->loading()) statusBar()->showMessage(tr("A checkpoint is loading; switch when it is done"), 8000);
        return;
    }
    statusBar()->showMessage(tr("Loading %1 on %2 (%3)...").arg(QFileInfo(path).fileName(), device.toUpper(), dtype), 15000);
    m_session->model()->load(path, device, dtype);
}

void MainWindow::syncDeviceMenu() {
    if (!m_deviceGroup) return;
    const auto* model = m_session->model()->model();
    const bool onGpu = model && model->device.starts_with("cuda");
    for (auto* action : m_deviceGroup->actions()) {
        const auto wanted = action->data().toStringList();
        const bool isGpu = wanted[0] == QStringLiteral("cuda");
        action->setChecked(model && isGpu == onGpu && (!isGpu || wanted[1].toStdString() == model->dtype));
    }
}

}  // namespace egmf::studio

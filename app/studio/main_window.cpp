#include "main_window.h"

#include <QCloseEvent>
#include <QDockWidget>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>
#include <filesystem>
#include <iostream>

#include "egmf/app/annotations.h"
#include "ui/annotation_panel.h"
#include "ui/attention_view.h"
#include "ui/comparison_view.h"
#include "ui/dialogue_browser.h"
#include "ui/gate_summary_view.h"
#include "ui/gates_view.h"
#include "ui/label_palette.h"
#include "ui/metrics_view.h"
#include "ui/player_controller.h"
#include "ui/player_controls.h"
#include "ui/plugin_panel.h"
#include "ui/prediction_panel.h"
#include "ui/timeline_strip.h"
#include "ui/utterance_table_model.h"
#include "ui/video_widget.h"

namespace egmf::studio {

using namespace egmf::ui;

MainWindow::MainWindow(const QString& annotationsFile, QWidget* parent)
    : QMainWindow(parent), m_session(new StudioSession(this, annotationsFile)), m_player(new PlayerController(this)) {
    setWindowTitle(tr("EGMF Studio"));
    setObjectName(QStringLiteral("MainWindow"));
    buildPanels();
    buildMenus();
    restoreSettings();
    updateStatus();
}

MainWindow::~MainWindow() = default;

MainWindow::Panels MainWindow::panels() const {
    return {m_attention,  m_gates,   m_summary,     m_browser,    m_table,   m_timeline,    m_video, m_prediction,
            m_annotation, m_metrics, m_pluginPanel, m_comparison, m_compare, m_deviceGroup, m_undo};
}

void MainWindow::buildPanels() {
    // Centre: the video, its transport, the timeline, and the utterance table below.
    auto* centre = m_centreSplitter = new QSplitter(Qt::Vertical);
    centre->setObjectName(QStringLiteral("centreSplitter"));
    auto* playerPane = new QWidget;
    auto* playerLayout = new QVBoxLayout(playerPane);
    playerLayout->setContentsMargins(4, 4, 4, 0);
    m_video = new VideoWidget;
    m_video->setImage(&m_player->video().image());
    m_controls = new PlayerControls(m_player);
    m_timeline = new TimelineStrip;
    playerLayout->addWidget(m_video, 1);
    playerLayout->addWidget(m_controls);
    playerLayout->addWidget(m_timeline);
    m_table = new UtteranceTableModel(m_session, this);
    m_tableView = new QTableView;
    m_tableView->setObjectName(QStringLiteral("utteranceTable"));
    m_tableView->setModel(m_table);
    m_tableView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tableView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_tableView->verticalHeader()->hide();
    m_tableView->horizontalHeader()->setSectionResizeMode(UtteranceTableModel::Text, QHeaderView::Stretch);
    m_tableView->horizontalHeader()->setSectionResizeMode(UtteranceTableModel::Generated, QHeaderView::ResizeToContents);
    m_tableView->setWordWrap(false);
    centre->addWidget(playerPane);
    centre->addWidget(m_tableView);
    centre->setStretchFactor(0, 3);
    centre->setStretchFactor(1, 2);
    setCentralWidget(centre);

    const auto dock = [this](const QString& title, const QString& name, QWidget* content, Qt::DockWidgetArea area) {
        auto* d = new QDockWidget(title, this);
        d->setObjectName(name);
        d->setWidget(content);
        addDockWidget(area, d);
        watchLayout(d);
        return d;
    };
    m_browser = new DialogueBrowser(m_session);
    dock(tr("Dialogues"), QStringLiteral("dialoguesDock"), m_browser, Qt::LeftDockWidgetArea);
    m_attention = new AttentionView;
    m_attention->follow(m_session->current());
    m_gates = new GatesView;
    m_gates->follow(m_session->current());
    m_summary = new GateSummaryView;
    auto* gatesPane = m_gatesSplitter = new QSplitter(Qt::Vertical);
    gatesPane->setObjectName(QStringLiteral("gatesSplitter"));
    gatesPane->addWidget(m_gates);
    gatesPane->addWidget(m_summary);
    gatesPane->setStretchFactor(0, 3);
    gatesPane->setStretchFactor(1, 1);
    dock(tr("Cross-attention"), QStringLiteral("attentionDock"), m_attention, Qt::RightDockWidgetArea);
    dock(tr("Expert gates"), QStringLiteral("gatesDock"), gatesPane, Qt::RightDockWidgetArea);
    // Below the table: the utterance's prediction and ablations, its annotation, the split's
    // metrics, as tabs.
    m_undo = new QUndoStack(this);
    m_prediction = new PredictionPanel(m_session);
    m_annotation = new AnnotationPanel(m_session, m_undo);
    m_metrics = new MetricsView(m_session);
    auto* predictionDock = dock(tr("Prediction and ablation"), QStringLiteral("predictionDock"), m_prediction, Qt::BottomDockWidgetArea);
    auto* annotationDock = dock(tr("Annotation"), QStringLiteral("annotationDock"), m_annotation, Qt::BottomDockWidgetArea);
    auto* metricsDock = dock(tr("Metrics"), QStringLiteral("metricsDock"), m_metrics, Qt::BottomDockWidgetArea);
    tabifyDockWidget(predictionDock, annotationDock);
    tabifyDockWidget(annotationDock, metricsDock);
    m_pluginPanel = new PluginPanel(m_session);
    auto* pluginsDock = dock(tr("Checkpoints and plugins"), QStringLiteral("pluginsDock"), m_pluginPanel, Qt::BottomDockWidgetArea);
    tabifyDockWidget(metricsDock, pluginsDock);
    predictionDock->raise();
    // The side panels run the full height; the tabs sit under the player and table only.
    setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);
    resizeDocks({predictionDock}, {290}, Qt::Vertical);
    connect(m_metrics, &MetricsView::cellClicked, m_browser, &DialogueBrowser::filterByCell);

    // Status bar: model, device, audio, and the background work with its cancel button.
    m_modelLabel = new QLabel;
    m_deviceLabel = new QLabel;
    m_audioLabel = new QLabel;
    m_progress = new QProgressBar;
    m_progress->setMaximumWidth(220);
    m_progress->setTextVisible(true);
    m_progress->hide();
    m_cancel = new QToolButton;
    m_cancel->setText(tr("Cancel"));
    m_cancel->setToolTip(tr("Stop analysing the rest of the split (the dialogue on screen goes on)"));
    m_cancel->hide();
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancel);
    // A checkpoint loading in the background, wherever it was started: its progress, and Cancel.
    m_loadProgress = new QProgressBar;
    m_loadProgress->setMaximumWidth(220);
    m_loadProgress->setRange(0, 100);
    m_loadProgress->hide();
    m_cancelLoad = new QToolButton;
    m_cancelLoad->setText(tr("Cancel loading"));
    m_cancelLoad->setToolTip(tr("Stop loading the checkpoint; the model in use stays"));
    m_cancelLoad->hide();
    statusBar()->addPermanentWidget(m_loadProgress);
    statusBar()->addPermanentWidget(m_cancelLoad);
    connect(m_cancelLoad, &QToolButton::clicked, m_session->model(), &ModelSlot::cancelLoad);
    connect(m_session->model(), &ModelSlot::loadStarted, this, [this](const QString& path) {
        m_loadProgress->setFormat(tr("Loading %1 %p%").arg(QFileInfo(path).fileName()));
        m_loadProgress->setValue(0);
        m_loadProgress->show();
        m_cancelLoad->show();
    });
    connect(m_session->model(), &ModelSlot::loadProgress, m_loadProgress,
            [this](double f) { m_loadProgress->setValue(static_cast<int>(f * 100)); });
    connect(m_session->model(), &ModelSlot::loaded, m_loadProgress, &QWidget::hide);
    connect(m_session->model(), &ModelSlot::loaded, m_cancelLoad, &QWidget::hide);
    connect(m_session->model(), &ModelSlot::loadFailed, m_loadProgress, &QWidget::hide);
    connect(m_session->model(), &ModelSlot::loadFailed, m_cancelLoad, &QWidget::hide);
    statusBar()->addPermanentWidget(m_audioLabel);
    statusBar()->addPermanentWidget(m_deviceLabel);
    statusBar()->addPermanentWidget(m_modelLabel);

    // Wiring: browser -> dialogue; table -> player; player -> views; session -> views.
    connect(m_browser, &DialogueBrowser::dialogueActivated, this, &MainWindow::showDialogue);
    connect(m_tableView, &QTableView::clicked, this, [this](const QModelIndex& index) {
        m_player->seek({index.row(), 0});
        m_player->play();
    });
    connect(m_timeline, &TimelineStrip::seekRequested, m_player, [this](double t) { m_player->seek(m_player->clips().locate(t)); });
    connect(m_attention, &AttentionView::seekRequested, this, [this](double t) { m_player->seek({m_player->position().utterance, t}); });
    connect(m_summary, &GateSummaryView::utteranceClicked, this, [this](int u) { m_player->seek({u, 0}); });
    connect(m_video, &VideoWidget::clicked, m_player, &PlayerController::togglePlay);
    connect(m_player, &PlayerController::frameChanged, m_video, [this] { m_video->update(); });
    connect(m_player, &PlayerController::utteranceChanged, this, &MainWindow::showUtterance);
    connect(m_player, &PlayerController::tick, this, [this](int utterance, double t) {
        if (utterance != m_shownUtterance) showUtterance(utterance);
        m_attention->setTime(t);
        m_gates->setTime(t);
        m_timeline->setPlayhead(m_player->clips().start(utterance) + t);
        showSoundPicture(utterance, t);
    });
    connect(m_timeline, &TimelineStrip::waveformReady, this, [this] {
        const auto at = m_player->position();
        showSoundPicture(at.utterance, at.clipTime);
    });
    connect(m_player, &PlayerController::playingChanged, m_session->analysis(), &AnalysisQueue::setPlaying);
    connect(m_player, &PlayerController::message, this, [this](const QString& text) { statusBar()->showMessage(text, 10000); });
    connect(m_session->analysis(), &AnalysisQueue::dialogueAnalysed, this, [this](int dialogue) {
        if (dialogue == m_dialogue) refreshDialogueViews();
    });
    connect(m_session->annotations(), &AnnotationSession::goldChanged, this, [this](UtteranceRef ref) {
        if (ref.dialogue == m_dialogue) refreshDialogueViews();
    });
    connect(m_session, &StudioSession::errorOccurred, this, [this](const QString& message) {
        statusBar()->showMessage(message, 15000);
        std::cerr << "egmf-studio: " << message.toStdString() << '\n';
    });
    connect(m_session->analysis(), &AnalysisQueue::progress, this, [this](const QString& what, int done, int total) {
        m_progress->setFormat(what + QStringLiteral(" %v/%m"));
        m_progress->setRange(0, std::max(1, total));
        m_progress->setValue(done);
        m_progress->show();
        m_cancel->setVisible(m_session->analysis()->dialogueState(m_dialogue) == AnalysisScheduler::State::Done);
    });
    connect(m_session->analysis(), &AnalysisQueue::idle, this, [this] {
        m_progress->hide();
        m_cancel->hide();
    });
    connect(m_cancel, &QToolButton::clicked, m_session->analysis(), &AnalysisQueue::cancelBackground);
    connect(m_session->model(), &ModelSlot::loaded, this, [this] {
        m_analysisFile.clear();  // the model analyses again: a bundle on show gives way
        addRecent(QStringLiteral("recentCheckpoints"), m_session->model()->checkpointPath());
        statusBar()->showMessage(tr("Loaded %1").arg(QFileInfo(m_session->model()->checkpointPath()).fileName()), 5000);
        updateStatus();
        syncDeviceMenu();
        if (m_dialogue >= 0) m_session->analysis()->focusDialogue(m_dialogue);
        refreshDialogueViews();
    });
    connect(m_session->model(), &ModelSlot::loadFailed, this, &MainWindow::report);
    connect(m_session->current(), &CurrentUtterance::changed, this, [this] {
        const auto* r = m_session->current()->result();
        if (r && !r->error.empty()) statusBar()->showMessage(QString::fromStdString(r->error), 10000);
    });
}

void MainWindow::report(const QString& message) {
    statusBar()->showMessage(message, 15000);
    std::cerr << "egmf-studio: " << message.toStdString() << '\n';
    if (m_interactive) QMessageBox::warning(this, tr("EGMF Studio"), message);
}

bool MainWindow::openDataset(const QString& path) {
    m_analysisFile.clear();
    auto opened = m_session->openDataset(path);
    if (!opened) {
        report(QString::fromStdString(opened.error().message));
        return false;
    }
    addRecent(QStringLiteral("recentDatasets"), path);
    const auto& problems = m_session->dataset().problems;
    statusBar()->showMessage(tr("%1: %2 dialogues, %3 utterances%4")
                                 .arg(path)
                                 .arg(m_session->dataset().dialogues.size())
                                 .arg(m_session->dataset().utteranceCount())
                                 .arg(problems.empty() ? QString() : tr(", %1 problems (Help > Dataset problems)").arg(problems.size())),
                             10000);
    // Analyse the split the first dialogue belongs to (the metrics need all of it).
    if (!m_session->dataset().dialogues.empty()) {
        const auto split = QString::fromStdString(m_session->dataset().dialogues.front().split);
        m_session->analysis()->analyseSplit(split);
        m_metrics->setSplit(split);
        showDialogue(0);
        m_browser->selectDialogue(0);
    }
    return true;
}

bool MainWindow::openClips(const QStringList& files) {
    std::vector<std::filesystem::path> clips;
    std::filesystem::path transcript;
    for (const auto& file : files) {
        if (file.endsWith(QStringLiteral(".srt"), Qt::CaseInsensitive)) {
            if (!transcript.empty()) {
                report(tr("Choose one .srt transcript (got %1 and %2).").arg(QString::fromStdString(transcript.string()), file));
                return false;
            }
            transcript = file.toStdString();
        } else {
            clips.push_back(file.toStdString());
        }
    }
    auto dataset = datasetFromClips(clips, transcript);
    if (!dataset) {
        report(QString::fromStdString(dataset.error().message));
        return false;
    }
    const auto name = clips.size() == 1 ? QString::fromStdString(clips.front().filename().string()) : tr("%1 clips").arg(clips.size());
    m_session->openDialogue(std::move(*dataset), name);
    m_metrics->setSplit({});
    showDialogue(0);
    m_browser->selectDialogue(0);
    statusBar()->showMessage(tr("Analysing %1 as one dialogue").arg(name), 10000);
    return true;
}

bool MainWindow::compareWith(const QString& checkpoint) {
    if (!QFileInfo::exists(checkpoint)) {
        report(tr("%1: no such checkpoint; choose a checkpoint folder or .egmf file to compare with").arg(checkpoint));
        return false;
    }
    if (!m_compare) {
        m_compare = new StudioSession(this, m_session->annotations()->store()
                                                ? QString::fromStdString(m_session->annotations()->store()->path().string())
                                                : QString());
        m_comparison = new ComparisonView(m_session, m_compare);
        m_compareDock = new QDockWidget(tr("Compare checkpoints"), this);
        m_compareDock->setObjectName(QStringLiteral("compareDock"));
        m_compareDock->setWidget(m_comparison);
        addDockWidget(Qt::BottomDockWidgetArea, m_compareDock);
        watchLayout(m_compareDock);
        if (auto* metricsDock = findChild<QDockWidget*>(QStringLiteral("metricsDock"))) tabifyDockWidget(metricsDock, m_compareDock);
        connect(m_comparison, &ComparisonView::utteranceClicked, this, [this](int u) { m_player->seek({u, 0}); });
        connect(m_compare, &StudioSession::errorOccurred, this,
                [this](const QString& message) { statusBar()->showMessage(tr("Checkpoint B: %1").arg(message), 15000); });
        connect(m_compare->model(), &ModelSlot::loaded, this, &MainWindow::syncComparison);
        connect(m_compare->model(), &ModelSlot::loadFailed, this, &MainWindow::report);
    }
    m_compare->model()->load(checkpoint);  // in the background; syncComparison follows its model
    syncComparison();
    m_compareDock->show();
    m_compareDock->raise();
    return true;
}

void MainWindow::syncComparison() {
    if (!m_compare) return;
    // The second session sees the same dialogues (with this annotator's gold) and analyses only
    // the one on screen.
    if (m_compare->dataset().dialogues.size() != m_session->dataset().dialogues.size() ||
        m_compare->annotations()->datasetPath() != m_session->annotations()->datasetPath()) {
        m_compare->openDialogue(m_session->dataset(), m_session->annotations()->datasetPath());
    }
    if (m_dialogue >= 0) m_compare->analysis()->focusDialogue(m_dialogue);
    m_comparison->setDialogue(m_dialogue);
    m_comparison->setUtterance(m_shownUtterance);
}

void MainWindow::openCheckpoint(const QString& path, const QString& device, const QString& dtype) {
    statusBar()->showMessage(tr("Loading %1...").arg(QFileInfo(path).fileName()), 15000);
    m_session->model()->load(path, device, dtype);
}

void MainWindow::setPluginFolders(const QStringList& extra) {
    QStringList folders = extra;
    for (const auto& saved : QSettings().value(QStringLiteral("plugins/folders")).toStringList()) {
        if (!folders.contains(saved)) folders << saved;
    }
    m_session->model()->setPluginFolders(folders);
    m_pluginPanel->refresh();
}

void MainWindow::showDialogue(int dialogue) {
    if (dialogue < 0 || dialogue >= static_cast<int>(m_session->dataset().dialogues.size())) return;
    m_dialogue = dialogue;
    m_shownUtterance = -1;
    m_session->analysis()->focusDialogue(dialogue);
    m_table->setDialogue(dialogue);
    std::vector<PlayerClip> wanted;
    for (const auto& u : m_session->dataset().dialogues[static_cast<std::size_t>(dialogue)].utterances) {
        PlayerClip clip;
        clip.path = QString::fromStdString(u.clipPath);
        clip.startSec = u.clipStartSec;
        clip.endSec = u.clipEndSec;
        clip.durationSec = u.durationSec;
        wanted.push_back(clip);
    }
    m_player->setClips(DialogueClips::probe(std::move(wanted)));
    m_timeline->loadWaveform(m_player->clips().all());
    syncComparison();
    refreshDialogueViews();
    showUtterance(0);
}

void MainWindow::refreshDialogueViews() {
    if (m_dialogue < 0) return;
    const auto& dialogue = m_session->dataset().dialogues[static_cast<std::size_t>(m_dialogue)];
    const auto* manifest = m_session->model()->manifest();
    const auto& labels = manifest && !manifest->labels.empty() ? manifest->labels : m_session->dataset().labels;
    std::vector<TimelineSegment> segments;
    std::vector<const UtteranceResult*> results;
    for (int u = 0; u < static_cast<int>(dialogue.utterances.size()) && u < static_cast<int>(m_player->clips().size()); ++u) {
        const auto& utterance = dialogue.utterances[static_cast<std::size_t>(u)];
        const auto* r = m_session->analysis()->result({m_dialogue, u});
        results.push_back(r);
        TimelineSegment s;
        s.startSec = m_player->clips().start(u);
        s.durationSec = m_player->clips()[static_cast<std::size_t>(u)].durationSec;
        s.gold = goldText(utterance);
        s.goldColor = utterance.goldLabel ? labelColor(*utterance.goldLabel, labels) : scoreColor(utterance.goldScore.value_or(0));
        s.analysed = r != nullptr;
        if (r) {
            s.prediction = QString::fromStdString(r->prediction);
            s.predictionColor = r->predictedScore ? scoreColor(*r->predictedScore) : labelColor(r->prediction, labels);
            s.correct = predictionCorrect(utterance, *r).value_or(true);
        }
        segments.push_back(s);
    }
    m_timeline->setSegments(std::move(segments));
    m_summary->setResults(results);
}

void MainWindow::showSoundPicture(int utterance, double clipTimeSec) {
    const auto& clips = m_player->clips();
    if (utterance < 0 || utterance >= static_cast<int>(clips.size()) || clips[static_cast<std::size_t>(utterance)].hasVideo ||
        !clips[static_cast<std::size_t>(utterance)].error.isEmpty()) {
        m_video->clearSound();
        return;
    }
    m_video->setSound(&m_timeline->envelope(), TimelineStrip::kBinsPerSecond, m_player->clips().start(utterance),
                      clips[static_cast<std::size_t>(utterance)].durationSec, clipTimeSec);
}

void MainWindow::showUtterance(int utterance) {
    if (m_dialogue < 0 || utterance == m_shownUtterance) return;
    m_shownUtterance = utterance;
    showSoundPicture(utterance, 0);
    m_table->setPlaying(utterance);
    m_summary->setPlaying(utterance);
    if (utterance >= 0 && utterance < m_table->rowCount()) m_tableView->scrollTo(m_table->index(utterance, 0));
    const double duration = utterance >= 0 && utterance < static_cast<int>(m_player->clips().size())
                                ? m_player->clips()[static_cast<std::size_t>(utterance)].durationSec
                                : 0.0;
    if (m_comparison) m_comparison->setUtterance(utterance);
    // The detail views follow the current utterance (CurrentUtterance): this is all they need.
    m_session->current()->select({m_dialogue, utterance}, duration);
}

void MainWindow::updateStatus() {
    const auto* manifest = m_session->model()->manifest();
    if (!m_analysisFile.isEmpty()) {
        m_modelLabel->setText(tr("analysis %1 (%2, as analysed; no model runs here)")
                                  .arg(QFileInfo(m_analysisFile).fileName(), QFileInfo(m_analysisCheckpoint).fileName()));
        m_deviceLabel->clear();
    } else if (!manifest) {
        m_modelLabel->setText(tr("no checkpoint"));
        m_deviceLabel->clear();
    } else {
        const QString task = manifest->task == Task::Regression ? tr("MSA") : tr("ERC, %1 classes").arg(manifest->labels.size());
        m_modelLabel->setText(tr("%1 (%2)").arg(QFileInfo(m_session->model()->checkpointPath()).fileName(), task));
        m_deviceLabel->setText(whereTheModelRuns());
    }
    m_audioLabel->setText(m_player->audio()->available() ? tr("audio on") : tr("muted: no audio device"));
    m_audioLabel->setToolTip(m_player->audio()->unavailableReason());
}

void MainWindow::resizeEvent(QResizeEvent* event) {
    QMainWindow::resizeEvent(event);
    scheduleLayoutSave();
}

void MainWindow::moveEvent(QMoveEvent* event) {
    QMainWindow::moveEvent(event);
    scheduleLayoutSave();
}

void MainWindow::closeEvent(QCloseEvent* event) {
    saveSettings();
    m_player->pause();
    event->accept();
}

}  // namespace egmf::studio

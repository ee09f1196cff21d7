#pragma once
// The Studio's main window. Split by concern: main_window.cpp builds the panels and wires the
// session, the player and the views together; main_window_menus.cpp holds the menus, actions
// and shortcuts; main_window_settings.cpp what persists (layout, last dataset and checkpoint,
// recent files); main_window_server.cpp the model on a server (connect, remember, what works
// there); main_window_bundle.cpp analyses opened from bundles. The window owns one StudioSession (the data and the engine) and one
// PlayerController; every live view follows the player's tick.

#include <QMainWindow>

#include "ui/studio_session.h"

class QAction;
class QActionGroup;
class QMenu;
class QDockWidget;
class QLabel;
class QProgressBar;
class QSplitter;
class QTimer;
class QTableView;
class QToolButton;
class QUndoStack;

namespace egmf::ui {
class AnnotationPanel;
class AttentionView;
class ComparisonView;
class MetricsView;
class PluginPanel;
class PredictionPanel;
class DialogueBrowser;
class GateSummaryView;
class GatesView;
class PlayerController;
class PlayerControls;
class TimelineStrip;
class UtteranceTableModel;
class VideoWidget;
}  // namespace egmf::ui

namespace egmf::studio {

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(const QString& annotationsFile = {}, QWidget* parent = nullptr);
    ~MainWindow() override;

    bool openDataset(const QString& path);
    /// Starts loading in the background (the status bar and the plugin panel show its progress).
    void openCheckpoint(const QString& path, const QString& device = QStringLiteral("auto"), const QString& dtype = QStringLiteral("auto"));
    /// The user's clips (and an optional .srt among the files) as one dialogue.
    bool openClips(const QStringList& files);
    /// Loads a second checkpoint (in the background) and shows both side by side on the dialogue
    /// on screen.
    bool compareWith(const QString& checkpoint);
    ui::StudioSession* session() const { return m_session; }
    ui::PlayerController* player() const { return m_player; }
    /// The window's panels (tests and the scripted run reach them here).
    struct Panels {
        ui::AttentionView* attention = nullptr;
        ui::GatesView* gates = nullptr;
        ui::GateSummaryView* gateSummary = nullptr;
        ui::DialogueBrowser* browser = nullptr;
        ui::UtteranceTableModel* table = nullptr;
        ui::TimelineStrip* timeline = nullptr;
        ui::VideoWidget* video = nullptr;
        ui::PredictionPanel* prediction = nullptr;
        ui::AnnotationPanel* annotation = nullptr;
        ui::MetricsView* metrics = nullptr;
        ui::PluginPanel* plugins = nullptr;
        ui::ComparisonView* comparison = nullptr;  ///< once a second checkpoint is compared
        ui::StudioSession* compared = nullptr;     ///< its session
        QActionGroup* devices = nullptr;           ///< Engine > device and dtype
        QUndoStack* undo = nullptr;
    };
    Panels panels() const;
    void showDialogue(int dialogue);
    int currentDialogue() const { return m_dialogue; }
    /// Plugin folders searched before the installed ones: `extra` (--plugin-dir) then settings'.
    void setPluginFolders(const QStringList& extra);
    /// Whether errors go to message boxes (interactive) or only to the status bar and stderr.
    void setInteractive(bool interactive) { m_interactive = interactive; }
    /// An analysis bundle's results on the dataset it names, with no model: nothing is analysed
    /// until a checkpoint is loaded. Reports what no longer matches (changed clips, lost dialogues).
    bool openAnalysis(const QString& path);
    /// Runs the model on a server from now on (in the background; the status bar says when);
    /// `remember`: its address and certificate in the settings, its token in the keyring.
    void connectToServer(const remote::RemoteOptions& server, bool remember);
    /// Connects to the server remembered last, if any (its token from the keyring); false when
    /// none is remembered.
    bool reconnectRememberedServer();

protected:
    void closeEvent(QCloseEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void moveEvent(QMoveEvent* event) override;

private:
    void buildPanels();
    void buildMenus();
    void buildEngineMenu();
    void buildServerActions(QMenu* engine);
    void showConnectDialog();
    /// What can be done where the model runs now (the device choice, checkpoints by path...).
    void syncServerActions();
    /// "CPU float32", "remote: host:port — CUDA:0 bfloat16, 2.1 ms".
    QString whereTheModelRuns() const;
    void showDatasetProblems();
    /// A sound-only clip's waveform in the player, with the playhead at `clipTimeSec`.
    void showSoundPicture(int utterance, double clipTimeSec);
    /// Reloads the checkpoint in use on `device` ("cpu", "cuda") in `dtype`, in the background.
    void switchDevice(const QString& device, const QString& dtype);
    void syncDeviceMenu();
    void restoreSettings();
    void saveSettings();
    void saveLayout();
    /// The layout is saved shortly after it changes (docks moved, shown, floated; splitters
    /// dragged; the window resized), so a crash or SIGKILL restarts with it.
    void scheduleLayoutSave();
    void watchLayout(QDockWidget* dock);
    void addRecent(const QString& key, const QString& path);
    void report(const QString& message);
    void refreshDialogueViews();
    void showUtterance(int utterance);
    void updateStatus();
    void syncComparison();

    ui::StudioSession* m_session;
    ui::PlayerController* m_player;
    ui::VideoWidget* m_video = nullptr;
    ui::PlayerControls* m_controls = nullptr;
    ui::TimelineStrip* m_timeline = nullptr;
    ui::UtteranceTableModel* m_table = nullptr;
    QTableView* m_tableView = nullptr;
    ui::DialogueBrowser* m_browser = nullptr;
    ui::AttentionView* m_attention = nullptr;
    ui::GatesView* m_gates = nullptr;
    ui::GateSummaryView* m_summary = nullptr;
    ui::PredictionPanel* m_prediction = nullptr;
    ui::AnnotationPanel* m_annotation = nullptr;
    ui::MetricsView* m_metrics = nullptr;
    ui::PluginPanel* m_pluginPanel = nullptr;
    QUndoStack* m_undo = nullptr;
    QSplitter* m_centreSplitter = nullptr;
    QSplitter* m_gatesSplitter = nullptr;
    QTimer* m_layoutSave = nullptr;
    QActionGroup* m_deviceGroup = nullptr;
    QAction *m_openCheckpointAction = nullptr, *m_connectAction = nullptr, *m_hereAction = nullptr, *m_serverCheckpointAction = nullptr;
    QTimer* m_statusRefresh = nullptr;
    QString m_analysisFile, m_analysisCheckpoint;  ///< the bundle on show (until a model loads)
    ui::StudioSession* m_compare = nullptr;        // the second checkpoint, when comparing
    ui::ComparisonView* m_comparison = nullptr;
    QDockWidget* m_compareDock = nullptr;
    QLabel *m_modelLabel = nullptr, *m_deviceLabel = nullptr, *m_audioLabel = nullptr;
    QProgressBar* m_progress = nullptr;
    QToolButton* m_cancel = nullptr;
    QProgressBar* m_loadProgress = nullptr;
    QToolButton* m_cancelLoad = nullptr;
    int m_dialogue = -1;
    int m_shownUtterance = -1;
    bool m_interactive = true;
};

}  // namespace egmf::studio

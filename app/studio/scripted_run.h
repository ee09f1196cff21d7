#pragma once
// egmf-studio --screenshot out.png --play-for SECONDS: the scripted run. It waits for the first
// dialogue's analysis, plays for the given seconds, grabs the main window to the PNG and quits
// with 0; anything that fails (no dataset, a checkpoint that does not load, an analysis error, a
// timeout) quits non-zero with a message on stderr. It also prints the playback figures (frames
// presented, dropped and late, the longest stall of the event loop), which the UI benchmark uses.

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QTimer>

namespace egmf::studio {

class MainWindow;

struct ScriptedRunOptions {
    QString screenshot;
    double playForSec = 2.0;
    int timeoutSec = 900;
};

class ScriptedRun : public QObject {
    Q_OBJECT
public:
    ScriptedRun(MainWindow* window, ScriptedRunOptions options);
    /// Starts waiting (call after the dataset and checkpoint are open).
    void start();

private:
    void fail(const QString& message);
    void startPlaying();
    void finish();
    MainWindow* m_window;
    ScriptedRunOptions m_options;
    QTimer m_timeout, m_probe;
    QElapsedTimer m_probeClock;
    double m_longestStallMs = 0;
    bool m_playing = false;
};

}  // namespace egmf::studio

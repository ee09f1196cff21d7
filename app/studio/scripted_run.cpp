#include "scripted_run.h"

#include <QApplication>
#include <QImage>
#include <QPixmap>
#include <fstream>
#include <iostream>
#include <string>

#include "main_window.h"
#include "ui/player_controller.h"

namespace egmf::studio {

namespace {

/// The process's peak resident memory (VmHWM), in MB; 0 where /proc does not say.
long peakRssMb() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6)) / 1024;
    }
    return 0;
}

}  // namespace

ScriptedRun::ScriptedRun(MainWindow* window, ScriptedRunOptions options)
    : QObject(window), m_window(window), m_options(std::move(options)) {
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this,
            [this] { fail(QStringLiteral("the first dialogue was not analysed within %1 s").arg(m_options.timeoutSec)); });
    // Event-loop latency probe: a 5 ms timer; any gap beyond that is time the UI thread was busy.
    m_probe.setInterval(5);
    m_probe.setTimerType(Qt::PreciseTimer);
    connect(&m_probe, &QTimer::timeout, this, [this] {
        const double gap = static_cast<double>(m_probeClock.nsecsElapsed()) / 1e6 - 5.0;
        m_probeClock.restart();
        if (m_playing) m_longestStallMs = std::max(m_longestStallMs, gap);
    });
}

void ScriptedRun::start() {
    auto* session = m_window->session();
    if (session->dataset().dialogues.empty()) return fail(QStringLiteral("the dataset has no dialogues"));
    if (!session->model()->manifest()) {
        // The checkpoint loads in the background: start when it is there.
        if (!session->model()->loading()) return fail(QStringLiteral("no checkpoint is loaded"));
        connect(session->model(), &ui::ModelSlot::loaded, this, &ScriptedRun::start, Qt::SingleShotConnection);
        connect(session->model(), &ui::ModelSlot::loadFailed, this, &ScriptedRun::fail, Qt::SingleShotConnection);
        return;
    }
    const int first = m_window->currentDialogue() < 0 ? 0 : m_window->currentDialogue();
    const auto check = [this, session, first] {
        const auto state = session->analysis()->dialogueState(first);
        if (state == ui::AnalysisScheduler::State::Failed) {
            fail(QStringLiteral("the analysis of the first dialogue failed: ") + session->analysis()->dialogueError(first));
        } else if (state == ui::AnalysisScheduler::State::Done && !m_playing) {
            startPlaying();
        }
    };
    connect(session->analysis(), &ui::AnalysisQueue::dialogueAnalysed, this, check);
    m_timeout.start(m_options.timeoutSec * 1000);
    check();
}

void ScriptedRun::startPlaying() {
    m_timeout.stop();
    m_playing = true;
    auto* player = m_window->player();
    player->video().resetStats();
    player->seek({0, 0});
    player->play();
    m_probeClock.start();
    m_probe.start();
    QTimer::singleShot(static_cast<int>(m_options.playForSec * 1000), this, &ScriptedRun::finish);
}

void ScriptedRun::finish() {
    auto* player = m_window->player();
    player->pause();
    m_probe.stop();
    const auto stats = player->video().stats();
    std::cerr << "egmf-studio: played " << m_options.playForSec << " s: " << stats.presented << " frames presented of "
              << static_cast<int>(stats.expected + 0.5) << " expected, " << stats.dropped << " dropped, " << stats.late
              << " late; longest UI stall " << m_longestStallMs << " ms; "
              << (player->audio()->available() ? "audio clock" : "wall clock (no audio device)") << "; peak RSS " << peakRssMb() << " MB\n";
    QApplication::processEvents();
    const auto image = m_window->grab().toImage();
    if (!image.save(m_options.screenshot)) return fail(m_options.screenshot + QStringLiteral(": cannot write the screenshot"));
    std::cerr << "egmf-studio: screenshot " << m_options.screenshot.toStdString() << " (" << image.width() << "x" << image.height()
              << ")\n";
    QApplication::exit(0);
}

void ScriptedRun::fail(const QString& message) {
    std::cerr << "egmf-studio: " << message.toStdString() << '\n';
    QApplication::exit(1);
}

}  // namespace egmf::studio

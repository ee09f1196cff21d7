// The Studio killed with SIGKILL while it plays and the annotator edits: the restarted Studio has
// every edit that was committed (each logged by the child after the edit returned) and the layout
// it last had (docks moved and hidden, a splitter dragged, the window resized), saved as it
// changed rather than on close. The child is this test binary again, running the child test.
#include <QCoreApplication>
#include <QDockWidget>
#include <QProcess>
#include <QSettings>
#include <QSplitter>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "../engine/test_support.h"
#include "studio_fixture.h"
#include "ui/annotation_panel.h"

namespace egmf {
namespace {

using test::Studio;
using test::waitUntil;

const QString kChildDir = QStringLiteral("EGMF_CRASH_CHILD_DIR");
const QString kChildDataset = QStringLiteral("EGMF_CRASH_DATASET");
const QSize kChildSize(1111, 733);

// Each edit is logged twice, flushed: "try <dialogue> <utterance> <gold label or -> <note>" before it
// is made and "done ..." once it returned. The kill can fall between the two: that one edit may or
// may not be in the store, every "done" one must be.
void logEdit(std::ofstream& log, const char* state, ui::UtteranceRef ref, const QString& gold, const QString& note) {
    log << state << ' ' << ref.dialogue << ' ' << ref.utterance << ' ' << gold.toStdString() << ' ' << note.toStdString() << std::endl;
}

TEST(StudioCrashChild, playsAndAnnotatesUntilKilled) {
    const auto dir = qEnvironmentVariable(kChildDir.toUtf8().constData());
    if (dir.isEmpty()) GTEST_SKIP() << "runs only as the child of Studio.killedWithSigkill_restartsWithEveryEditAndItsLayout";
    studio::MainWindow window(dir + QStringLiteral("/annotations.sqlite"));
    window.setInteractive(false);
    window.resize(kChildSize);
    window.show();
    ASSERT_EQ(
        test::loadAndWait(*window.session()->model(),
                          QString::fromStdString((test::sourceDir() / "resources/checkpoints/demo-erc").string()), QStringLiteral("cpu")),
        QString());
    ASSERT_TRUE(window.openDataset(qEnvironmentVariable(kChildDataset.toUtf8().constData())));
    ASSERT_TRUE(waitUntil([&] { return window.session()->analysis()->dialogueState(0) == ui::AnalysisScheduler::State::Done; }, 120000));

    // The layout: a dock hidden, one moved to the other side, the centre splitter dragged.
    window.findChild<QDockWidget*>(QStringLiteral("metricsDock"))->hide();
    window.addDockWidget(Qt::LeftDockWidgetArea, window.findChild<QDockWidget*>(QStringLiteral("attentionDock")));
    auto* centre = window.findChild<QSplitter*>(QStringLiteral("centreSplitter"));
    centre->setSizes({600, 120});
    Q_EMIT centre->splitterMoved(600, 1);  // what a drag ends with

    std::ofstream log((dir + QStringLiteral("/edits.log")).toStdString());
    auto* panel = window.panels().annotation;
    for (int u = 0; u < 3; ++u) {
        window.player()->seek({u, 0});
        const auto note = QStringLiteral("first-%1").arg(u);
        logEdit(log, "try", panel->utterance(), panel->labels()[u + 2], note);
        panel->setGoldByIndex(u + 2);
        panel->setNote(note);
        logEdit(log, "done", panel->utterance(), panel->labels()[u + 2], note);
    }
    window.player()->seek({0, 0});
    window.player()->play();
    // The size it ended up with (moving a dock may widen the window to its new minimum, once laid out).
    test::spin(100);
    std::ofstream((dir + QStringLiteral("/ready")).toStdString()) << window.width() << ' ' << window.height() << '\n';
    // Edits go on while the clip plays, until the parent kills this process.
    for (int i = 0;; ++i) {
        const auto ref = panel->utterance();
        const auto note = QStringLiteral("during-play-%1").arg(i);
        logEdit(log, "try", ref, QStringLiteral("-"), note);
        panel->setNote(note);
        logEdit(log, "done", ref, QStringLiteral("-"), note);
        test::spin(40);
    }
}

TEST_F(Studio, killedWithSigkill_restartsWithEveryEditAndItsLayout) {
    const auto dir = dir_->path() / "crash";
    std::filesystem::create_directories(dir / "config");
    const auto qdir = QString::fromStdString(dir.string());
    QProcess child;
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert(kChildDir, qdir);
    env.insert(kChildDataset, dataset());
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), qdir + QStringLiteral("/config"));
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    child.setProcessEnvironment(env);
    child.setProcessChannelMode(QProcess::ForwardedChannels);
    child.start(QCoreApplication::applicationFilePath(), {QStringLiteral("--gtest_filter=StudioCrashChild.*")});
    ASSERT_TRUE(child.waitForStarted());
    ASSERT_TRUE(waitUntil([&] { return std::filesystem::exists(dir / "ready") || child.state() == QProcess::NotRunning; }, 180000));
    ASSERT_EQ(child.state(), QProcess::Running) << "the child ended before it played";
    test::spin(1200);  // playing, editing; the layout's save (0.5 s after the last change) is due
    ASSERT_EQ(child.state(), QProcess::Running);
    ::kill(static_cast<pid_t>(child.processId()), SIGKILL);
    int width = 0, height = 0;
    std::ifstream(dir / "ready") >> width >> height;
    ASSERT_TRUE(child.waitForFinished(10000));
    EXPECT_EQ(child.exitStatus(), QProcess::CrashExit);

    // Every edit logged done is in the store: the last note per utterance, every gold label. The
    // one edit the kill interrupted (tried, not logged done) may have landed too.
    std::map<std::pair<int, int>, QString> notes;
    std::map<std::pair<int, int>, std::string> golds;
    std::optional<std::pair<std::pair<int, int>, QString>> interrupted;
    std::ifstream log(dir / "edits.log");
    int done = 0;
    for (std::string line; std::getline(log, line);) {
        std::istringstream in(line);
        std::string state, gold, note;
        int d = 0, u = 0;
        in >> state >> d >> u >> gold >> note;
        if (state == "try") {
            interrupted = {{d, u}, QString::fromStdString(note)};
            continue;
        }
        interrupted.reset();
        ++done;
        notes[{d, u}] = QString::fromStdString(note);
        if (gold != "-") golds[{d, u}] = gold;
    }
    EXPECT_GT(done, 10) << "the child edited while it played";
    EXPECT_EQ(golds.size(), 3u);
    ui::StudioSession restarted(nullptr, qdir + QStringLiteral("/annotations.sqlite"));
    ASSERT_TRUE(restarted.openDataset(dataset()).ok());
    for (const auto& [key, note] : notes) {
        const ui::UtteranceRef ref{key.first, key.second};
        const auto stored = restarted.annotations()->note(ref);
        if (interrupted && interrupted->first == key && stored == interrupted->second) continue;
        EXPECT_EQ(stored.toStdString(), note.toStdString()) << "utterance " << key.second;
    }
    for (const auto& [key, gold] : golds) {
        const ui::UtteranceRef ref{key.first, key.second};
        ASSERT_TRUE(restarted.annotations()->utterance(ref)->goldLabel.has_value());
        EXPECT_EQ(*restarted.annotations()->utterance(ref)->goldLabel, gold);
    }

    // The layout, read from the child's settings.
    const auto ownConfig = qEnvironmentVariable("XDG_CONFIG_HOME");
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, qdir + QStringLiteral("/config"));
    {
        studio::MainWindow again(qdir + QStringLiteral("/annotations.sqlite"));
        EXPECT_EQ(again.size(), QSize(width, height));
        again.show();
        EXPECT_FALSE(again.findChild<QDockWidget*>(QStringLiteral("metricsDock"))->isVisible());
        EXPECT_EQ(again.dockWidgetArea(again.findChild<QDockWidget*>(QStringLiteral("attentionDock"))), Qt::LeftDockWidgetArea);
        const auto sizes = again.findChild<QSplitter*>(QStringLiteral("centreSplitter"))->sizes();
        ASSERT_EQ(sizes.size(), 2);
        EXPECT_GT(sizes[0], 3 * sizes[1]) << sizes[0] << " / " << sizes[1];
    }
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, ownConfig);
}

}  // namespace
}  // namespace egmf

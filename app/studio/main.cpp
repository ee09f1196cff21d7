// egmf-studio: the desktop application. Without a display it says how to run it (Xvfb or the
// offscreen platform); --screenshot makes it a scripted run (scripted_run.h).
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>
#include <iostream>

#include "egmf/dataset.h"
#include "egmf/paths.h"
#include "main_window.h"
#include "scripted_run.h"

namespace {

bool haveDisplay() {
    return qEnvironmentVariableIsSet("DISPLAY") || qEnvironmentVariableIsSet("WAYLAND_DISPLAY") ||
           qEnvironmentVariableIsSet("QT_QPA_PLATFORM");
}

}  // namespace

int main(int argc, char** argv) {
    if (!haveDisplay()) {
        std::cerr << "egmf-studio: no display. Run it under a virtual X server:\n"
                     "  xvfb-run -a egmf-studio [options]\n"
                     "or without any window system (screenshots still work):\n"
                     "  QT_QPA_PLATFORM=offscreen egmf-studio --screenshot out.png [options]\n";
        return 2;
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("EGMF Studio"));
    QApplication::setOrganizationName(QStringLiteral("egmf-studio"));
    QApplication::setApplicationVersion(QStringLiteral(EGMF_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Plays dialogue clips while the EGMF model analyses them."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption dataset(QStringLiteral("dataset"), QStringLiteral("A dataset folder (MELD layout, MMSA) or manifest CSV."),
                                     QStringLiteral("PATH"));
    const QCommandLineOption checkpoint(
        QStringLiteral("checkpoint"),
        QStringLiteral(
            "A checkpoint folder (default: the bundled meld-text for MELD's own CSVs, else the last one used or the bundled demo-erc)."),
        QStringLiteral("PATH"));
    const QCommandLineOption device(QStringLiteral("device"), QStringLiteral("auto | cpu | cuda"), QStringLiteral("DEVICE"),
                                    QStringLiteral("auto"));
    const QCommandLineOption dtype(
        QStringLiteral("dtype"),
        QStringLiteral("auto | float32 | bfloat16 | float16 (auto: the weights' own on a GPU, float32 on the CPU)."),
        QStringLiteral("DTYPE"), QStringLiteral("auto"));
    const QCommandLineOption screenshot(
        QStringLiteral("screenshot"),
        QStringLiteral("Scripted run: wait for the first dialogue's analysis, play, grab the window to this PNG, quit."),
        QStringLiteral("PNG"));
    const QCommandLineOption playFor(QStringLiteral("play-for"), QStringLiteral("Seconds to play before the screenshot (default 2)."),
                                     QStringLiteral("SECONDS"), QStringLiteral("2"));
    const QCommandLineOption annotations(QStringLiteral("annotations"), QStringLiteral("The annotations store (default: the user's)."),
                                         QStringLiteral("FILE"));
    const QCommandLineOption size(QStringLiteral("size"), QStringLiteral("Window size WxH (default 1600x1000 for screenshots)."),
                                  QStringLiteral("WxH"));
    const QCommandLineOption pluginDir(QStringLiteral("plugin-dir"), QStringLiteral("A folder of checkpoint plugins (repeatable)."),
                                       QStringLiteral("DIR"));
    parser.addOptions({dataset, checkpoint, device, dtype, screenshot, playFor, annotations, size, pluginDir});
    parser.addPositionalArgument(QStringLiteral("clips"),
                                 QStringLiteral("Your own clips (and one .srt transcript) to analyse as a dialogue."),
                                 QStringLiteral("[clips...] [transcript.srt]"));
    parser.process(app);

    egmf::studio::MainWindow window(parser.value(annotations));
    window.setPluginFolders(parser.values(pluginDir));
    const bool scripted = parser.isSet(screenshot);
    window.setInteractive(!scripted);
    const auto sizeText = parser.value(size).isEmpty() && scripted ? QStringLiteral("1600x1000") : parser.value(size);
    if (const auto wh = sizeText.split('x'); wh.size() == 2) window.resize(wh[0].toInt(), wh[1].toInt());
    window.show();

    QSettings settings;
    auto datasetPath = parser.value(dataset);
    if (datasetPath.isEmpty()) datasetPath = settings.value(QStringLiteral("last/dataset")).toString();
    auto checkpointPath = parser.value(checkpoint);
    // No checkpoint named and MELD's own CSVs: the bundled checkpoint trained on them, said so.
    QString chosenFor;
    if (const auto bundled = egmf::bundledCheckpointFor(datasetPath.toStdString()); checkpointPath.isEmpty() && !bundled.empty()) {
        const auto path = egmf::shareDir() / "checkpoints" / bundled;
        if (std::filesystem::exists(path / "manifest.json")) {
            checkpointPath = QString::fromStdString(path.string());
            chosenFor = QObject::tr(
                            "MELD's own annotations, no checkpoint named: the bundled %1 checkpoint analyses them "
                            "(File > Open checkpoint for another)")
                            .arg(QString::fromStdString(bundled));
        }
    }
    if (checkpointPath.isEmpty()) checkpointPath = settings.value(QStringLiteral("last/checkpoint")).toString();
    if (checkpointPath.isEmpty() || !QDir(checkpointPath).exists()) {
        checkpointPath = QString::fromStdString((egmf::shareDir() / "checkpoints" / "demo-erc").string());
    }

    // A remembered server runs the model unless a checkpoint was named here (or one is chosen
    // for MELD's CSVs); scripted runs never reach for one.
    const bool toServer = !scripted && parser.value(checkpoint).isEmpty() && chosenFor.isEmpty() && window.reconnectRememberedServer();
    if (!toServer) window.openCheckpoint(checkpointPath, parser.value(device), parser.value(dtype));  // in the background
    const auto clips = parser.positionalArguments();
    if (!clips.isEmpty()) datasetPath = QStringLiteral("(clips)");
    const bool opened = clips.isEmpty() ? (datasetPath.isEmpty() || window.openDataset(datasetPath)) : window.openClips(clips);
    if (!chosenFor.isEmpty()) {
        window.statusBar()->showMessage(chosenFor, 20000);
        std::cerr << "egmf-studio: " << chosenFor.toStdString() << '\n';
    }
    if (scripted) {
        if (!opened || datasetPath.isEmpty()) {
            std::cerr << "egmf-studio: "
                      << (datasetPath.isEmpty() ? "--dataset is needed for a scripted run" : "cannot start the scripted run") << '\n';
            return 1;
        }
        bool ok = false;
        const double seconds = parser.value(playFor).toDouble(&ok);
        if (!ok || seconds < 0) {
            std::cerr << "egmf-studio: --play-for takes a number of seconds\n";
            return 2;
        }
        auto* run = new egmf::studio::ScriptedRun(&window, {parser.value(screenshot), seconds});
        QTimer::singleShot(0, run, &egmf::studio::ScriptedRun::start);
    }
    return app.exec();
}

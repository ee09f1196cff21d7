// File > Open analysis: a bundle made by `egmf analyze --bundle` (its own process, as a user runs
// it) shown in a Studio with no model: the results of the bundle fill the views, the status bar
// says whose they are, and a clip changed since it was analysed is reported.
#include <QLabel>
#include <QPushButton>
#include <QStatusBar>
#include <fstream>

#include "egmf/app/analysis_bundle.h"
#include "studio_fixture.h"
#include "ui/prediction_panel.h"

namespace egmf {
namespace {

using test::Studio;
using test::waitUntil;
namespace fs = std::filesystem;

QString statusOf(const studio::MainWindow& window) {
    QString text = window.statusBar()->currentMessage();
    for (const auto* label : window.statusBar()->findChildren<QLabel*>()) text += QStringLiteral(" | ") + label->text();
    return text;
}

TEST_F(Studio, openAnalysis_showsABundlesResults_withNoModel_andSaysWhatChanged) {
    test::TempDir dir;
    const auto copy = dir.path() / "dataset";
    fs::copy(dataset().toStdString(), copy, fs::copy_options::recursive);
    const auto bundle = dir.path() / "run.egmfa";
    const auto command = (test::binaryDir() / "bin" / "egmf").string() + " analyze --threads 2 --checkpoint '" +
                         checkpoint().toStdString() + "' --dataset '" + copy.string() + "' --out '" + (dir.path() / "run.jsonl").string() +
                         "' --bundle '" + bundle.string() + "' 2>/dev/null";
    const int code = std::system(command.c_str());
    ASSERT_TRUE(WIFEXITED(code) && WEXITSTATUS(code) <= 1) << command;
    auto expected = bundle::read(bundle);
    ASSERT_TRUE(expected.ok()) << expected.error().message;

    studio::MainWindow window(store());
    window.setInteractive(false);
    window.resize(1400, 900);
    window.show();
    ASSERT_TRUE(window.openAnalysis(QString::fromStdString(bundle.string())));
    EXPECT_EQ(window.session()->model()->model(), nullptr) << "no model is loaded to show it";
    const auto& dialogues = window.session()->dataset().dialogues;
    for (int d = 0; d < static_cast<int>(dialogues.size()); ++d) {
        const auto* shown = window.session()->analysis()->dialogueResult(d);
        ASSERT_NE(shown, nullptr) << dialogues[static_cast<std::size_t>(d)].id;
        const auto& made = expected->dialogues.at(dialogues[static_cast<std::size_t>(d)].id);
        ASSERT_EQ(shown->utterances.size(), made.utterances.size());
        for (std::size_t u = 0; u < made.utterances.size(); ++u) {
            EXPECT_EQ(shown->utterances[u].prediction, made.utterances[u].prediction);
            EXPECT_EQ(shown->utterances[u].probabilities, made.utterances[u].probabilities);
        }
    }
    EXPECT_TRUE(statusOf(window).contains(QStringLiteral("no model runs here"))) << statusOf(window).toStdString();
    // Re-running needs a model, and says so instead of waiting for none.
    for (auto* button : window.panels().prediction->findChildren<QPushButton*>())
        if (button->text() == QStringLiteral("Re-run utterance")) button->click();
    bool said = false;
    for (const auto* label : window.panels().prediction->findChildren<QLabel*>())
        said |= label->text().contains(QStringLiteral("needs a model"));
    EXPECT_TRUE(said);
    test::spin(300);
    window.grab().toImage().save(QString::fromStdString((test::binaryDir() / "analysis-bundle.png").string()));

    // A clip changed since: said when the bundle is opened again.
    fs::path clip;
    for (const auto& entry : fs::recursive_directory_iterator(copy))
        if (entry.path().extension() == ".mp4") clip = entry.path();
    ASSERT_FALSE(clip.empty());
    std::ofstream(clip, std::ios::app) << "appended";
    ASSERT_TRUE(window.openAnalysis(QString::fromStdString(bundle.string())));
    EXPECT_TRUE(statusOf(window).contains(QStringLiteral("differ from when they were analysed"))) << statusOf(window).toStdString();

    // A file that is not a bundle: refused with the reason, the bundle on show stays.
    const auto notes = dir.path() / "notes.egmfa";
    std::ofstream(notes) << "notes";
    EXPECT_FALSE(window.openAnalysis(QString::fromStdString(notes.string())));
    EXPECT_TRUE(statusOf(window).contains(QString::fromStdString(notes.string()))) << statusOf(window).toStdString();
    EXPECT_NE(window.session()->analysis()->dialogueResult(0), nullptr);
}

}  // namespace
}  // namespace egmf

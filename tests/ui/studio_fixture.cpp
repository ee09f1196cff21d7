#include "studio_fixture.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QThread>
#include <filesystem>
#include <fstream>
#include "../engine/test_support.h"

namespace egmf::test {

bool waitUntil(const std::function<bool()>& done, int timeoutMs) {
    QElapsedTimer clock;
    clock.start();
    while (!done()) {
        if (clock.elapsed() > timeoutMs) return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        QThread::msleep(2);
    }
    return true;
}

void spin(int ms) {
    waitUntil([] { return false; }, ms);
}

void expectAudioAsConfigured(const ui::PlayerController& player) {
    if (qEnvironmentVariableIntValue("EGMF_EXPECT_AUDIO") == 1) {
        EXPECT_TRUE(player.audio()->available()) << player.audio()->unavailableReason().toStdString();
    }
}

TempDir* Studio::dir_ = nullptr;

void Studio::SetUpTestSuite() {
    dir_ = new TempDir;
    const auto root = dir_->path() / "meld";
    std::filesystem::create_directories(root / "output_repeated_splits_test");
    std::ofstream csv(root / "test_sent_emo.csv");
    csv << "Sr No.,Utterance,Speaker,Emotion,Sentiment,Dialogue_ID,Utterance_ID,Season,Episode,StartTime,EndTime\n";
    const char* rows[][4] = {{"We won the tickets!", "Priya", "joy", "0"},
                             {"The floor is sticky.", "Lena", "disgust", "0"},
                             {"I guess we'll see.", "Priya", "neutral", "0"},
                             {"Really? You did?", "Omar", "surprise", "1"},
                             {"Leave me alone.", "Lena", "anger", "1"}};
    int serial = 1, utterance = 0;
    std::string previous = "0";
    for (const auto& row : rows) {
        if (row[3] != previous) utterance = 0, previous = row[3];
        csv << serial++ << ",\"" << row[0] << "\"," << row[1] << ',' << row[2] << ",neutral," << row[3] << ',' << utterance
            << ",1,1,\"00:00:01,000\",\"00:00:02,000\"\n";
        const auto clip =
            root / "output_repeated_splits_test" / ("dia" + std::string(row[3]) + "_utt" + std::to_string(utterance) + ".mp4");
        const auto command =
            "ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=320x240:rate=25:duration=1.2 "
            "-f lavfi -i sine=frequency=" +
            std::to_string(300 + 60 * serial) +
            ":duration=1.2 "
            "-c:v libx264 -pix_fmt yuv420p -c:a aac -shortest '" +
            clip.string() + "'";
        ASSERT_EQ(std::system(command.c_str()), 0);
        ++utterance;
    }
}

QString loadAndWait(ui::ModelSlot& model, const QString& checkpoint, const QString& device, const QString& dtype) {
    QString error;
    const auto failed = QObject::connect(&model, &ui::ModelSlot::loadFailed, [&](const QString& message) { error = message; });
    model.load(checkpoint, device, dtype);
    if (!waitUntil([&] { return !model.loading(); }, 120000)) error = QStringLiteral("the load did not finish in 120 s");
    QObject::disconnect(failed);
    return error;
}

void Studio::TearDownTestSuite() {
    delete dir_;
}
QString Studio::dataset() {
    return QString::fromStdString((dir_->path() / "meld").string());
}
QString Studio::checkpoint() {
    return QString::fromStdString((test::sourceDir() / "resources/checkpoints/demo-erc").string());
}
QString Studio::store() {
    return QString::fromStdString((dir_->path() / "annotations.sqlite").string());
}

std::unique_ptr<studio::MainWindow> Studio::openWindow() {
    auto window = std::make_unique<studio::MainWindow>(store());
    window->setInteractive(false);
    window->resize(1400, 900);
    window->show();
    EXPECT_EQ(test::loadAndWait(*window->session()->model(), checkpoint(), QStringLiteral("cpu")), QString());
    EXPECT_TRUE(window->openDataset(dataset()));
    EXPECT_TRUE(waitUntil([&] { return window->session()->analysis()->dialogueState(0) == ui::AnalysisScheduler::State::Done; }, 120000));
    return window;
}

}  // namespace egmf::test

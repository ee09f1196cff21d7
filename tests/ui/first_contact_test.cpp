// What a new user meets first, rendered offscreen and grabbed: a sound-only clip shows its
// waveform (not a black frame) and keeps its sound, a phone clip stored sideways plays upright,
// the views' empty-state messages are shown whole, the checkpoint picker offers the bundled
// checkpoints, the dialogue list is wide enough for the dialogues' names, and MELD's own CSVs
// opened with no checkpoint named get the bundled text-only meld-text, whose views say so.
#include <QImage>
#include <QLabel>
#include <QSettings>
#include <cstdio>
#include <cstdlib>

#include <gtest/gtest.h>

#include "egmf/paths.h"
#include "studio_fixture.h"
#include "ui/attention_view.h"
#include "ui/dialogue_browser.h"
#include "ui/plot_message.h"
#include "ui/plugin_panel.h"
#include "ui/timeline_strip.h"
#include "ui/video_widget.h"

namespace egmf {
namespace {

using test::Studio;
using test::waitUntil;

/// Pixels of the waveform's colour (VideoWidget::paintSound) in `image`.
int waveformPixels(const QImage& image) {
    int count = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            const QColor c = image.pixelColor(x, y);
            count += c.blue() > 200 && c.red() < 140 && c.green() > 130 && c.green() < 190 ? 1 : 0;
        }
    }
    return count;
}

TEST_F(Studio, firstContact_soundOnlyAndPhoneClips_playAsTheyShould) {
    const auto face = dir_->path() / "upright.mp4";
    const auto phone = dir_->path() / "phone.mp4";
    const auto sound = dir_->path() / "voice.m4a";
    const std::string ff = "ffmpeg -hide_banner -loglevel error -y ";
    const std::string astronaut = "/usr/lib/python3/dist-packages/imageio/resources/images/astronaut.png";
    ASSERT_EQ(std::system((ff + "-loop 1 -i " + astronaut +
                           " -f lavfi -i sine=frequency=300:duration=1 -vf scale=240:320,setsar=1 "
                           "-t 1 -r 25 -c:v libx264 -qp 0 -pix_fmt yuv420p -c:a aac '" +
                           face.string() + "'")
                              .c_str()),
              0);
    const auto sideways = dir_->path() / "sideways.mp4";
    ASSERT_EQ(std::system((ff + "-i '" + face.string() + "' -vf transpose=clock -c:v libx264 -qp 0 -pix_fmt yuv420p -c:a copy '" +
                           sideways.string() + "' && " + ff + "-i '" + sideways.string() + "' -c copy -metadata:s:v:0 rotate=90 '" +
                           phone.string() + "'")
                              .c_str()),
              0);
    ASSERT_EQ(
        std::system(
            (ff + "-f lavfi -i \"aevalsrc=0.6*sin(2*PI*220*t)*sin(2*PI*2*t):s=44100:d=1.5\" -c:a aac '" + sound.string() + "'").c_str()),
        0);

    studio::MainWindow window(store());
    window.setInteractive(false);
    window.resize(1280, 800);
    window.show();
    ASSERT_EQ(test::loadAndWait(*window.session()->model(), checkpoint(), QStringLiteral("cpu")), QString());
    ASSERT_TRUE(window.openClips(
        {QString::fromStdString(face.string()), QString::fromStdString(phone.string()), QString::fromStdString(sound.string())}));
    const auto& clips = window.player()->clips();
    ASSERT_EQ(clips.size(), 3u);
    EXPECT_TRUE(clips[2].error.isEmpty()) << clips[2].error.toStdString() << ": a sound-only clip is playable";
    EXPECT_FALSE(clips[2].hasVideo);

    // The phone clip: upright, the very picture of the upright clip (lossless, so to the bit).
    window.player()->seek({0, 0.0});
    ASSERT_TRUE(waitUntil([&] { return window.player()->video().time() >= 0; }, 5000));
    const QImage upright = window.player()->video().image().copy();
    window.player()->seek({1, 0.0});
    ASSERT_TRUE(waitUntil([&] { return window.player()->position().utterance == 1 && window.player()->video().time() >= 0; }, 5000));
    EXPECT_EQ(window.player()->video().image().size(), QSize(240, 320));
    EXPECT_TRUE(window.player()->video().image() == upright) << "the sideways phone clip is not shown upright";

    // The sound-only clip: its waveform once the audio is read, and the playhead.
    window.player()->seek({2, 0.5});
    ASSERT_TRUE(waitUntil([&] { return !window.panels().timeline->envelope().empty(); }, 20000));
    test::spin(100);
    const QImage grabbed = window.panels().video->grab().toImage();
    grabbed.save(QString::fromStdString((dir_->path() / "sound-only.png").string()));
    EXPECT_GT(waveformPixels(grabbed), 500) << "no waveform drawn: " << (dir_->path() / "sound-only.png").string();
    // The sound is part of the dialogue's audio: its stretch of the envelope is not silent.
    const double start = window.player()->clips().start(2);
    float loudest = 0;
    const auto& envelope = window.panels().timeline->envelope();
    for (auto b = static_cast<std::size_t>(start * ui::TimelineStrip::kBinsPerSecond); b < envelope.size(); ++b)
        loudest = std::max(loudest, envelope[b]);
    EXPECT_GT(loudest, 0.3f);
}

TEST_F(Studio, firstContact_messagesAreWhole_thePickerOffersBundledCheckpoints_andNamesFit) {
    {
        QSettings settings;  // a first start: no layout saved by an earlier test
        settings.remove(QStringLiteral("window/state"));
        settings.remove(QStringLiteral("window/geometry"));
    }
    auto window = openWindow();
    // A long empty-state message on a narrow view is wrapped, not cut at the edges.
    auto* attention = window->panels().attention;
    attention->resize(320, 260);
    const QString message = QStringLiteral("no attention: the utterance has no text or no audio-visual positions");
    attention->setResult(nullptr, message);
    auto* label = attention->findChild<ui::PlotMessage*>();
    ASSERT_NE(label, nullptr);
    EXPECT_EQ(label->message(), message);
    EXPECT_TRUE(label->isVisibleTo(attention));
    const QRect inside = label->parentWidget()->rect();
    EXPECT_TRUE(inside.contains(label->geometry())) << "the message reaches past the plot";
    EXPECT_GE(label->height(), label->heightForWidth(label->width())) << "the message is cut";

    const auto choices = window->panels().plugins->choices();
    for (const char* bundled : {"demo-erc", "demo-msa", "demo-merits-l"}) {
        EXPECT_TRUE(choices.contains(QString::fromStdString((shareDir() / "checkpoints" / bundled).string()))) << bundled;
    }

    auto* browser = window->panels().browser;
    const int nameWidth = browser->fontMetrics().horizontalAdvance(QStringLiteral("dia1038 (train)"));
    EXPECT_GE(browser->width(), nameWidth + browser->fontMetrics().horizontalAdvance(QStringLiteral("00000 00000 00000")));
}

TEST_F(Studio, firstContact_meldsOwnCsvs_getTheMeldTextCheckpoint_andTheViewsSayItReadsTextOnly) {
    const auto meld = test::sourceDir() / "tests/data/meld";
    // The program itself, as a user starts it: no checkpoint named.
    const auto shot = dir_->path() / "meld.png";
    const auto command = "cd '" + dir_->path().string() + "' && QT_QPA_PLATFORM=offscreen XDG_CONFIG_HOME='" +
                         (dir_->path() / "meld-config").string() + "' XDG_DATA_HOME='" + (dir_->path() / "meld-data").string() + "' '" +
                         (test::binaryDir() / "bin/egmf-studio").string() + "' --dataset '" + meld.string() + "' --screenshot '" +
                         shot.string() + "' --play-for 0 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string output;
    char buffer[4096];
    while (const auto n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
    EXPECT_EQ(::pclose(pipe), 0) << output;
    EXPECT_NE(output.find("the bundled meld-text checkpoint"), std::string::npos) << output;

    // In process: the text-only model's views say so instead of showing empty plots.
    studio::MainWindow window(store());
    window.setInteractive(false);
    window.show();
    ASSERT_EQ(test::loadAndWait(*window.session()->model(), QString::fromStdString((shareDir() / "checkpoints/meld-text").string()),
                                QStringLiteral("cpu")),
              QString());
    ASSERT_TRUE(window.openDataset(QString::fromStdString(meld.string())));
    ASSERT_TRUE(waitUntil([&] { return window.session()->analysis()->result({0, 0}) != nullptr; }, 60000));
    window.showDialogue(0);
    auto* message = window.panels().attention->findChild<ui::PlotMessage*>();
    ASSERT_NE(message, nullptr);
    EXPECT_TRUE(message->message().contains(QStringLiteral("text only"))) << message->message().toStdString();
}

}  // namespace
}  // namespace egmf

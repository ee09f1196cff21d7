// The Studio's widgets and item models, offscreen, on clips the ffmpeg CLI makes here and the
// bundled ERC checkpoint (the real engine, the real decoder): the item models pass
// QAbstractItemModelTester; the attention colour map's cells and the gate graphs' points equal
// the utterance result's values (1e-6); heads switch; the player plays, seeks and steps, and after
// 2 s of play the gates' playhead is within one frame of the player's clock; the screenshot is
// not blank.
#include <QAbstractItemModelTester>
#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QFont>
#include <QImage>
#include <QPixmap>
#include <QSettings>
#include <QTableWidget>
#include <QThread>
#include <QToolButton>
#include <QUndoStack>
#include <cstdio>
#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "../engine/test_support.h"
#include "egmf/app/annotations.h"
#include "egmf/build_info.h"
#include "studio/main_window.h"
#include "studio_fixture.h"
#include "ui/annotation_panel.h"
#include "ui/attention_view.h"
#include "ui/comparison_view.h"
#include "ui/dialogue_browser.h"
#include "ui/dialogue_filter.h"
#include "ui/dialogue_tree_model.h"
#include "ui/gate_summary_view.h"
#include "ui/gates_view.h"
#include "ui/metrics_view.h"
#include "ui/player_controller.h"
#include "ui/plugin_panel.h"
#include "ui/prediction_panel.h"
#include "ui/utterance_table_model.h"

namespace egmf {
namespace {

using namespace egmf::ui;

QString msaCheckpoint() {
    return QString::fromStdString((test::sourceDir() / "resources/checkpoints/demo-msa").string());
}

using test::expectAudioAsConfigured;
using test::spin;
using test::Studio;
using test::waitUntil;

TEST_F(Studio, itemModels_passTheModelTester) {
    StudioSession session(nullptr, store());
    DialogueTreeModel tree(&session);
    DialogueFilterModel filter(&session);
    filter.setSourceModel(&tree);
    UtteranceTableModel table(&session);
    QAbstractItemModelTester treeTester(&tree, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QAbstractItemModelTester filterTester(&filter, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QAbstractItemModelTester tableTester(&table, QAbstractItemModelTester::FailureReportingMode::Fatal);
    ASSERT_EQ(test::loadAndWait(*session.model(), checkpoint()), QString());
    ASSERT_TRUE(session.openDataset(dataset()).ok());
    table.setDialogue(0);
    session.analysis()->analyseSplit(QStringLiteral("test"));
    session.analysis()->focusDialogue(0);
    ASSERT_TRUE(waitUntil([&] { return session.analysis()->dialogueState(1) == AnalysisScheduler::State::Done; }, 120000));
    EXPECT_EQ(tree.rowCount(), 1);
    const auto split = tree.index(0, 0, tree.index(0, 0));
    EXPECT_EQ(tree.rowCount(split), 2);
    EXPECT_EQ(tree.index(0, DialogueTreeModel::Analysed, split).data().toInt(), 3);
    EXPECT_EQ(table.rowCount(), 3);
    EXPECT_EQ(table.index(0, UtteranceTableModel::Gold).data().toString(), QStringLiteral("joy"));
    EXPECT_FALSE(table.index(0, UtteranceTableModel::Prediction).data().toString().isEmpty());
    // Filters: search by text keeps dialogue 1 only; a speaker only in dialogue 1 too.
    UtteranceFilter f;
    f.text = QStringLiteral("alone");
    filter.setFilter(f);
    const auto filteredSplit = filter.index(0, 0, filter.index(0, 0));
    ASSERT_EQ(filter.rowCount(filteredSplit), 1);
    EXPECT_EQ(filter.index(0, 0, filteredSplit).data(DialogueTreeModel::DialogueRole).toInt(), 1);
    f = {};
    f.speaker = QStringLiteral("Omar");
    filter.setFilter(f);
    EXPECT_EQ(filter.rowCount(filter.index(0, 0, filter.index(0, 0))), 1);
    f = {};
    filter.setFilter(f);
    EXPECT_EQ(filter.rowCount(filter.index(0, 0, filter.index(0, 0))), 2);
}

/// The scheduler's order (focus, the one after, the split in order), its bookkeeping of finished
/// background dialogues, and a new model's restart keeping what was wanted.
TEST(AnalysisSchedulerTest, order_yields_andRestartKeepsWhatWasWanted) {
    AnalysisScheduler s;
    s.reset(6);
    s.setFocus(2);
    s.setBackground({0, 1, 2, 3, 4, 5});
    EXPECT_EQ(s.next(), 2);
    s.mark(2, AnalysisScheduler::State::Running);
    EXPECT_EQ(s.next(), 3) << "the one after the focus";
    s.mark(3, AnalysisScheduler::State::Done);
    EXPECT_EQ(s.next(), 0);
    s.mark(0, AnalysisScheduler::State::Running);
    EXPECT_EQ(s.next(), 1);
    s.mark(1, AnalysisScheduler::State::Failed);
    s.mark(0, AnalysisScheduler::State::Waiting);  // it gave way to the focus
    EXPECT_EQ(s.next(), 0) << "a dialogue that gave way comes back first";
    s.mark(0, AnalysisScheduler::State::Done);
    s.mark(2, AnalysisScheduler::State::Done);
    EXPECT_EQ(s.next(), 4);
    EXPECT_EQ(s.backgroundFinished(), 4);
    EXPECT_EQ(s.backgroundTotal(), 6);
    s.restart();
    EXPECT_EQ(s.backgroundFinished(), 0);
    EXPECT_EQ(s.next(), 2) << "the focus stays wanted after a new model";
    EXPECT_TRUE(s.outranks(3, 4));
    s.reset(3);
    EXPECT_FALSE(s.next().has_value()) << "a new dataset wants nothing yet";
}

/// The detail views follow the current-utterance object alone: selecting an utterance and its
/// result arriving are all they need, and results for other dialogues do not touch them.
TEST_F(Studio, detailViews_followTheCurrentUtterance_andNothingElse) {
    StudioSession session(nullptr, store());
    AttentionView attention;
    GatesView gates;
    PredictionPanel prediction(&session);
    attention.follow(session.current());
    gates.follow(session.current());
    int changes = 0;
    QObject::connect(session.current(), &CurrentUtterance::changed, [&] { ++changes; });
    ASSERT_EQ(test::loadAndWait(*session.model(), checkpoint()), QString());
    ASSERT_TRUE(session.openDataset(dataset()).ok());
    session.current()->select({0, 1});
    EXPECT_EQ(session.current()->status(), QStringLiteral("analysing..."));
    session.analysis()->focusDialogue(0);
    ASSERT_TRUE(waitUntil([&] { return session.current()->result() != nullptr; }, 120000));
    const auto* result = session.current()->result();
    EXPECT_EQ(result, session.analysis()->result({0, 1}));
    const auto& m = result->attention.textToAv;
    ASSERT_EQ(m.shape.size(), 3u);
    ASSERT_EQ(attention.heads(), m.shape[0]);
    attention.setHead(0);
    EXPECT_NEAR(attention.cellValue(0, 0), m.values[0], 1e-6) << "the attention view shows the current utterance's map";
    for (std::size_t k = 0; k < result->probabilities.size(); ++k) {
        EXPECT_NEAR(prediction.bar(false, static_cast<int>(k)), result->probabilities[k], 1e-9);
    }
    // Another dialogue's result: the current utterance does not change, nor do its views.
    const int before = changes;
    session.analysis()->focusDialogue(1);
    ASSERT_TRUE(waitUntil([&] { return session.analysis()->dialogueState(1) == AnalysisScheduler::State::Done; }, 120000));
    spin(50);
    EXPECT_EQ(changes, before);
}

TEST_F(Studio, attentionMap_equalsTheResult_forEveryHeadAndDirection) {
    auto window = openWindow();
    auto* view = window->panels().attention;
    const auto* result = window->session()->analysis()->result({0, 0});
    ASSERT_NE(result, nullptr);
    const auto& m = result->attention.textToAv;
    ASSERT_EQ(m.shape.size(), 3u);
    const auto heads = m.shape[0], tokens = m.shape[1], av = m.shape[2];
    ASSERT_GT(tokens, 0);
    ASSERT_GT(av, 0);
    ASSERT_EQ(view->heads(), heads);
    for (int head = -1; head < heads; ++head) {
        view->setHead(head);
        for (auto direction : {AttentionView::Direction::TextToAv, AttentionView::Direction::AvToText}) {
            view->setDirection(direction);
            const auto& source = direction == AttentionView::Direction::TextToAv ? result->attention.textToAv : result->attention.avToText;
            double worst = 0;
            for (std::int64_t t = 0; t < tokens; ++t) {
                for (std::int64_t a = 0; a < av; ++a) {
                    double expected = 0;
                    for (std::int64_t h = head < 0 ? 0 : head; h < (head < 0 ? heads : head + 1); ++h) {
                        const auto at =
                            direction == AttentionView::Direction::TextToAv ? (h * tokens + t) * av + a : (h * av + a) * tokens + t;
                        expected += source.values[static_cast<std::size_t>(at)];
                    }
                    if (head < 0) expected /= static_cast<double>(heads);
                    worst = std::max(worst, std::abs(view->cellValue(static_cast<int>(t), static_cast<int>(a)) - expected));
                }
            }
            EXPECT_LT(worst, 1e-6) << "head " << head;
        }
    }
}

TEST_F(Studio, gateGraphs_equalTheResult_andFollowThePlayer) {
    auto window = openWindow();
    auto* gates = window->panels().gates;
    const auto* result = window->session()->analysis()->result({0, 0});
    ASSERT_NE(result, nullptr);
    for (auto choice : {GatesView::Gates::Combined, GatesView::Gates::Feature, GatesView::Gates::Context}) {
        gates->setGates(choice);
        const auto& g = choice == GatesView::Gates::Combined  ? result->gates.gates
                        : choice == GatesView::Gates::Feature ? result->gates.featureGates
                                                              : result->gates.contextGates;
        for (int modality = 0; modality < kModalityCount; ++modality) {
            std::vector<std::pair<double, double>> expected[kExpertCount + 1];
            for (std::size_t i = 0; i < result->positions.size(); ++i) {
                if (static_cast<int>(result->positions[i].modality) != modality) continue;
                for (int e = 0; e < kExpertCount; ++e)
                    expected[e].emplace_back(result->positions[i].timeSec, g.values[i * 3 + static_cast<std::size_t>(e)]);
                expected[kExpertCount].emplace_back(result->positions[i].timeSec, result->gates.alpha[i]);
            }
            for (int e = 0; e <= kExpertCount; ++e) {
                const auto plotted = gates->series(modality, e);
                ASSERT_EQ(plotted.size(), expected[e].size()) << modality << ' ' << e;
                for (std::size_t k = 0; k < plotted.size(); ++k) {
                    EXPECT_NEAR(plotted[k].first, expected[e][k].first, 1e-6);
                    EXPECT_NEAR(plotted[k].second, expected[e][k].second, 1e-6);
                }
            }
        }
    }
    // The dialogue summary: mean gates per utterance.
    for (int u = 0; u < 3; ++u) {
        const auto* r = window->session()->analysis()->result({0, u});
        ASSERT_NE(r, nullptr);
        const auto mean = GateSummaryView::meanGates(*r);
        for (int e = 0; e < kExpertCount; ++e)
            EXPECT_NEAR(window->panels().gateSummary->barValue(e, u), mean[static_cast<std::size_t>(e)], 1e-6);
    }
    // Play 2 s of the clock (the sound device's, or the wall clock when muted): the playhead is
    // within one frame of the clock, and no frame is dropped or late. A shared CI core can stall
    // this process for a frame period once in a while (1 late frame of 44 was seen once), so a
    // play with a late frame is played again: a player that is late by design is late both times.
    auto* player = window->player();
    expectAudioAsConfigured(*player);
    PlaybackStats stats;
    for (int attempt = 0; attempt < 2; ++attempt) {
        player->seek({0, 0});
        player->play();
        // Frames are counted once the clock runs (a sound device starts its stream first).
        ASSERT_TRUE(waitUntil([&] { return player->dialogueTime() >= 0.2; }, 10000));
        player->video().resetStats();
        ASSERT_TRUE(waitUntil([&] { return player->dialogueTime() >= 2.0; }, 10000));
        spin(1);
        const double clock = player->position().clipTime;
        const int utterance = player->position().utterance;
        player->pause();
        EXPECT_EQ(utterance, 1) << "continuous play moves on to the next clip after 1.2 s";
        EXPECT_NEAR(gates->playhead(), clock, 1.0 / 25 + 0.02);
        EXPECT_NEAR(window->player()->video().time(), clock, 2.0 / 25);
        stats = player->video().stats();
        EXPECT_GT(stats.presented, 35);
        if (stats.dropped + stats.late == 0) break;
        std::fprintf(stderr, "play %d: %d dropped, %d late of %d presented\n", attempt + 1, stats.dropped, stats.late, stats.presented);
    }
    EXPECT_EQ(stats.dropped + stats.late, 0) << stats.presented << " presented, in each of two plays";
}

TEST_F(Studio, player_seeksAndSteps_andTheTableFollows) {
    auto window = openWindow();
    auto* player = window->player();
    player->seek({2, 0.6});
    ASSERT_TRUE(waitUntil([&] { return player->video().time() >= 0; }, 5000));
    EXPECT_EQ(player->position().utterance, 2);
    EXPECT_NEAR(player->video().time(), 0.6, 1.0 / 25 + 1e-6);
    EXPECT_EQ(window->panels().table->playing(), 2);
    const double before = player->video().time();
    player->stepFrame(1);
    ASSERT_TRUE(waitUntil([&] { return player->video().time() > before; }, 5000));
    EXPECT_NEAR(player->video().time() - before, 1.0 / 25, 1e-3);
    player->stepFrame(-1);
    ASSERT_TRUE(waitUntil([&] { return std::abs(player->video().time() - before) < 1e-3; }, 5000));
    // Twice the speed: the clock runs twice as fast, once it runs (a sound device may take a
    // moment to start).
    player->seek({0, 0});
    player->setSpeed(2.0);
    player->play();
    ASSERT_TRUE(waitUntil([&] { return player->dialogueTime() > 0.3; }, 5000));
    QElapsedTimer wall;
    wall.start();
    const double t0 = player->dialogueTime();
    spin(600);
    const double advanced = player->dialogueTime() - t0;
    const double elapsed = static_cast<double>(wall.nsecsElapsed()) / 1e9;
    player->pause();
    EXPECT_NEAR(advanced / elapsed, 2.0, 0.25);
    // The attention cursor follows the clock: a click-free check on its column.
    EXPECT_GE(window->panels().attention->cursorColumn(), 0);
}

/// A model whose manifest has a modality gate: its lane appears above the experts' with one level
/// per modality, and goes again for a model without one.
TEST(GatesViewLanes, aModalityGate_getsItsOwnLane_onlyWhenTheResultHasOne) {
    UtteranceResult r;
    const std::vector<Modality> kinds{Modality::Text,  Modality::Text,   Modality::Audio, Modality::Audio,
                                      Modality::Audio, Modality::Visual, Modality::Visual};
    for (std::size_t i = 0; i < kinds.size(); ++i) r.positions.push_back({kinds[i], 0.3 * static_cast<double>(i)});
    r.textLength = 2, r.audioLength = 3, r.visualLength = 2;
    Matrix g{{}, {7, 3}};
    for (int i = 0; i < 7; ++i) g.values.insert(g.values.end(), {0.2f, 0.3f, 0.5f});
    r.gates = {g, g, g, std::vector<float>(7, 0.4f), {0.55f, 0.3f, 0.15f}};
    GatesView view;
    view.resize(640, 420);
    view.setResult(&r, 2.0);
    ASSERT_TRUE(view.showsModalityLane());
    const auto levels = view.modalityLevels();
    ASSERT_EQ(levels.size(), 3u);
    EXPECT_NEAR(levels[0], 0.55, 1e-6);
    EXPECT_NEAR(levels[1], 0.30, 1e-6);
    EXPECT_NEAR(levels[2], 0.15, 1e-6);
    EXPECT_EQ(view.series(1, 2).size(), 3u) << "the expert lanes are still drawn";
    view.setTime(0.9);
    view.show();
    spin(50);
    view.grab().toImage().save(QString::fromStdString((test::binaryDir() / "gates-modality-lane.png").string()));
    r.gates.modalityGates.clear();
    view.setResult(&r, 2.0);
    EXPECT_FALSE(view.showsModalityLane());
    EXPECT_TRUE(view.modalityLevels().empty());
    EXPECT_EQ(view.series(0, 0).size(), 2u);
}

TEST_F(Studio, screenshot_isNotBlank) {
    auto window = openWindow();
    window->player()->play();
    spin(500);
    window->player()->pause();
    const auto image = window->grab().toImage();
    const auto path = dir_->path() / "studio.png";
    ASSERT_TRUE(image.save(QString::fromStdString(path.string())));
    std::set<QRgb> colours;
    for (int y = 0; y < image.height(); y += 7) {
        for (int x = 0; x < image.width(); x += 7) colours.insert(image.pixel(x, y));
    }
    EXPECT_GT(colours.size(), 200u);
    if (const char* keep = std::getenv("EGMF_KEEP_SCREENSHOT")) image.save(QString::fromLatin1(keep));
}

TEST_F(Studio, annotation_setsGoldWithKeys_undoes_andPersists) {
    auto window = openWindow();
    auto* session = window->session();
    auto* panel = window->panels().annotation;
    const UtteranceRef ref{0, 1};
    window->player()->seek({1, 0});
    ASSERT_EQ(panel->utterance(), ref);
    ASSERT_EQ(session->annotations()->utterance(ref)->goldLabel, std::optional<std::string>("disgust"));
    // Key "1" sets the first class.
    const auto labels = panel->labels();
    panel->setGoldByIndex(0);
    EXPECT_EQ(QString::fromStdString(*session->annotations()->utterance(ref)->goldLabel), labels[0]);
    EXPECT_TRUE(session->annotations()->goldEdited(ref));
    EXPECT_TRUE(window->panels().table->index(1, UtteranceTableModel::Gold).data(Qt::FontRole).value<QFont>().italic());
    panel->setNote(QStringLiteral("sounds sarcastic"));
    panel->setReviewed(true);
    EXPECT_EQ(window->panels().undo->count(), 3);
    // What is in the store now (a second session reads it back).
    {
        StudioSession other(nullptr, store());
        ASSERT_TRUE(other.openDataset(dataset()).ok());
        EXPECT_EQ(QString::fromStdString(*other.annotations()->utterance(ref)->goldLabel), labels[0]);
        EXPECT_EQ(other.annotations()->note(ref), QStringLiteral("sounds sarcastic"));
        EXPECT_TRUE(other.annotations()->reviewed(ref));
    }
    window->panels().undo->undo();
    window->panels().undo->undo();
    window->panels().undo->undo();
    EXPECT_EQ(session->annotations()->utterance(ref)->goldLabel, std::optional<std::string>("disgust"));
    EXPECT_FALSE(session->annotations()->goldEdited(ref));
    EXPECT_TRUE(session->annotations()->note(ref).isEmpty());
    {
        StudioSession other(nullptr, store());
        ASSERT_TRUE(other.openDataset(dataset()).ok());
        EXPECT_EQ(other.annotations()->utterance(ref)->goldLabel, std::optional<std::string>("disgust"));
        EXPECT_FALSE(other.annotations()->reviewed(ref));
        auto edits = other.annotations()->store()->edits(other.annotations()->datasetKey());
        ASSERT_TRUE(edits.ok());
        EXPECT_TRUE(edits->empty()) << "an edit undone to the original leaves nothing in the store";
    }
    window->panels().undo->redo();
    EXPECT_EQ(QString::fromStdString(*session->annotations()->utterance(ref)->goldLabel), labels[0]);
    window->panels().undo->undo();
}

TEST_F(Studio, ablation_rerunsTheUtterance_andShowsTheDifference) {
    auto window = openWindow();
    auto* panel = window->panels().prediction;
    window->player()->seek({0, 0});
    const UtteranceRef ref{0, 0};
    const auto* full = window->session()->analysis()->result(ref);
    ASSERT_NE(full, nullptr);
    for (std::size_t i = 0; i < full->probabilities.size(); ++i)
        EXPECT_NEAR(panel->bar(false, static_cast<int>(i)), full->probabilities[i], 1e-9);
    panel->setAblation(0b011, 0);  // drop text and audio
    panel->rerun(false);
    ASSERT_TRUE(waitUntil([&] { return window->session()->analysis()->ablationResult(ref) != nullptr; }, 60000));
    spin(50);
    const auto* ablated = window->session()->analysis()->ablationResult(ref);
    EXPECT_EQ(window->session()->analysis()->ablationDescription(), QStringLiteral("no text, no audio"));
    bool differs = false;
    for (std::size_t i = 0; i < ablated->probabilities.size(); ++i) {
        EXPECT_NEAR(panel->bar(true, static_cast<int>(i)), ablated->probabilities[i], 1e-9);
        differs |= std::abs(ablated->probabilities[i] - full->probabilities[i]) > 1e-6;
    }
    EXPECT_TRUE(differs);
    EXPECT_TRUE(panel->differenceText().startsWith(QStringLiteral("no text, no audio: prediction")))
        << panel->differenceText().toStdString();
    // The ablated run is a second pass: the full model's result is untouched.
    EXPECT_EQ(window->session()->analysis()->result(ref)->probabilities, full->probabilities);
}

TEST_F(Studio, metrics_confusionMatrix_countsTheAnalysedUtterances) {
    auto window = openWindow();
    auto* session = window->session();
    ASSERT_TRUE(waitUntil([&] { return session->analysis()->dialogueState(1) == AnalysisScheduler::State::Done; }, 120000));
    auto* metrics = window->panels().metrics;
    metrics->recompute();
    const auto& labels = metrics->labels();
    std::map<std::pair<std::string, std::string>, int> expected;
    for (int d = 0; d < 2; ++d) {
        for (int u = 0; u < static_cast<int>(session->dataset().dialogues[static_cast<std::size_t>(d)].utterances.size()); ++u) {
            expected[{*session->annotations()->utterance({d, u})->goldLabel, session->analysis()->result({d, u})->prediction}]++;
        }
    }
    int total = 0;
    for (std::size_t g = 0; g < labels.size(); ++g) {
        for (std::size_t p = 0; p < labels.size(); ++p) {
            const auto want = expected.count({labels[g], labels[p]}) ? expected[{labels[g], labels[p]}] : 0;
            EXPECT_EQ(metrics->confusion()[g][p], want) << labels[g] << " -> " << labels[p];
            EXPECT_EQ(metrics->mapCell(static_cast<int>(g), static_cast<int>(p)), want);
            total += static_cast<int>(metrics->confusion()[g][p]);
        }
    }
    EXPECT_EQ(total, 5);
    EXPECT_TRUE(metrics->summary().contains(QStringLiteral("5 of 5 utterances analysed")));
}

TEST_F(Studio, msaCheckpoint_showsScores_endToEnd) {
    auto window = std::make_unique<studio::MainWindow>(store());
    window->setInteractive(false);
    window->show();
    ASSERT_EQ(test::loadAndWait(*window->session()->model(), msaCheckpoint(), QStringLiteral("cpu")), QString());
    ASSERT_TRUE(window->openDataset(dataset()));
    ASSERT_TRUE(waitUntil([&] { return window->session()->analysis()->dialogueState(0) == AnalysisScheduler::State::Done; }, 120000));
    EXPECT_TRUE(window->session()->model()->isRegression());
    const auto* r = window->session()->analysis()->result({0, 0});
    ASSERT_NE(r, nullptr);
    EXPECT_TRUE(r->predictedScore.has_value()) << r->generated;
    EXPECT_TRUE(r->probabilities.empty());
    const auto shown = window->panels().table->index(0, UtteranceTableModel::Prediction).data().toString();
    EXPECT_EQ(shown, QString::fromStdString(r->prediction));
}

TEST_F(Studio, ownClips_withATranscript_areAnalysedAsOneDialogue) {
    const auto clip = dir_->path() / "talk.mp4";
    const auto make =
        "ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=320x240:rate=25:duration=3 "
        "-f lavfi -i sine=frequency=500:duration=3 -c:v libx264 -pix_fmt yuv420p -c:a aac -shortest '" +
        clip.string() + "'";
    ASSERT_EQ(std::system(make.c_str()), 0);
    const auto srt = dir_->path() / "talk.srt";
    std::ofstream(srt)
        << "1\n00:00:00,200 --> 00:00:01,400\nMAYA: I can't believe it.\n\n2\n00:00:01,600 --> 00:00:02,800\nSAM: Believe it.\n";
    studio::MainWindow window(store());
    window.setInteractive(false);
    window.show();
    ASSERT_EQ(test::loadAndWait(*window.session()->model(), checkpoint(), QStringLiteral("cpu")), QString());
    ASSERT_TRUE(window.openClips({QString::fromStdString(clip.string()), QString::fromStdString(srt.string())}));
    const auto& dialogue = window.session()->dataset().dialogues.at(0);
    ASSERT_EQ(dialogue.utterances.size(), 2u);
    EXPECT_EQ(dialogue.utterances[1].speaker, "SAM");
    ASSERT_TRUE(waitUntil([&] { return window.session()->analysis()->dialogueState(0) == AnalysisScheduler::State::Done; }, 120000));
    for (int u = 0; u < 2; ++u) {
        const auto* r = window.session()->analysis()->result({0, u});
        ASSERT_NE(r, nullptr);
        EXPECT_TRUE(r->error.empty()) << r->error;
        EXPECT_GT(r->visualLength, 0);
        EXPECT_NEAR(window.player()->clips()[static_cast<std::size_t>(u)].durationSec, 1.2, 1e-6);
    }
    // The second cue plays from its own start: clip time 0 is 1.6 s into the file.
    window.player()->seek({1, 0.4});
    ASSERT_TRUE(waitUntil([&] { return window.player()->video().time() >= 0; }, 5000));
    EXPECT_NEAR(window.player()->video().time(), 0.4, 1.0 / 25 + 1e-6);
    EXPECT_FALSE(window.openClips({QString::fromStdString(srt.string())}));  // a transcript alone is refused
}

TEST_F(Studio, compare_twoCheckpoints_sideBySide) {
    auto window = openWindow();
    // The same checkpoint twice: everything agrees.
    ASSERT_TRUE(window->compareWith(checkpoint()));
    auto* second = window->panels().compared;
    ASSERT_TRUE(waitUntil([&] { return second->analysis()->dialogueState(0) == AnalysisScheduler::State::Done; }, 120000));
    spin(50);
    auto* view = window->panels().comparison;
    EXPECT_EQ(view->table()->rowCount(), 3);
    EXPECT_EQ(view->disagreements(), 0);
    window->player()->seek({1, 0});
    const auto* a = window->session()->analysis()->result({0, 1});
    for (std::size_t k = 0; k < a->probabilities.size(); ++k) {
        EXPECT_NEAR(view->bar(0, false, static_cast<int>(k)), a->probabilities[k], 1e-9);
        EXPECT_NEAR(view->bar(1, false, static_cast<int>(k)), a->probabilities[k], 1e-6);
    }
    // Against the MSA checkpoint: scores against classes, every row differs.
    ASSERT_TRUE(window->compareWith(msaCheckpoint()));
    // It loads in the background; the old model's results go when the new one is in.
    ASSERT_TRUE(waitUntil(
        [&] {
            return second->model()->checkpointPath() == msaCheckpoint() &&
                   second->analysis()->dialogueState(0) == AnalysisScheduler::State::Done;
        },
        120000));
    spin(50);
    EXPECT_EQ(view->disagreements(), 3);
    EXPECT_EQ(view->table()->item(0, 4)->foreground().color(), QColor(190, 20, 20));
    // A checkpoint that does not exist is refused, and the comparison stays.
    EXPECT_FALSE(window->compareWith(QStringLiteral("/nonexistent/checkpoint")));
    EXPECT_EQ(view->table()->rowCount(), 3);
}

TEST_F(Studio, layoutAndLastFiles_persistAcrossRestarts) {
    {
        auto window = openWindow();
        window->resize(1234, 777);
        window->findChild<QDockWidget*>(QStringLiteral("metricsDock"))->hide();
        window->close();
    }
    QSettings settings;
    EXPECT_EQ(settings.value(QStringLiteral("last/dataset")).toString(), dataset());
    EXPECT_EQ(settings.value(QStringLiteral("last/checkpoint")).toString(), checkpoint());
    studio::MainWindow again(store());
    EXPECT_EQ(again.size(), QSize(1234, 777));
    again.show();
    EXPECT_FALSE(again.findChild<QDockWidget*>(QStringLiteral("metricsDock"))->isVisible());
    EXPECT_TRUE(again.findChild<QDockWidget*>(QStringLiteral("attentionDock"))->isVisible());
    again.findChild<QDockWidget*>(QStringLiteral("metricsDock"))->show();
    again.close();
}

TEST_F(Studio, pluginPanel_listsPlugins_inspects_andLoadsInTheBackground) {
    auto window = openWindow();
    window->setPluginFolders({QString::fromStdString((test::binaryDir() / "test-plugins").string())});
    auto* panel = window->panels().plugins;
    QStringList names, states;
    for (int row = 0; row < panel->table()->rowCount(); ++row) {
        names << panel->table()->item(row, 0)->text();
        states << panel->table()->item(row, 3)->text();
    }
    EXPECT_TRUE(names.contains(QStringLiteral("good")));
    EXPECT_TRUE(names.contains(QStringLiteral("EGMF native checkpoint")));
    EXPECT_TRUE(states.contains(QStringLiteral("LibTorch/ABI mismatch")));
    EXPECT_TRUE(states.contains(QStringLiteral("wrong interface version")));
    // A file no plugin reads: the reasons are shown, nothing crashes (the crashing plugin is
    // probed in a child on the way).
    const auto junk = dir_->path() / "junk.bin";
    std::ofstream(junk) << "junk";
    EXPECT_FALSE(panel->inspect(QString::fromStdString(junk.string())));
    EXPECT_TRUE(panel->summaryText().contains(QStringLiteral("no plugin reads it")));
    // The MSA checkpoint: its manifest before loading, then the load on a worker.
    ASSERT_TRUE(panel->inspect(msaCheckpoint()));
    EXPECT_TRUE(panel->summaryText().contains(QStringLiteral("Task: regression"))) << panel->summaryText().toStdString();
    EXPECT_TRUE(panel->summaryText().contains(QStringLiteral("egmf train"))) << panel->summaryText().toStdString();
    double lastProgress = -1;
    QObject::connect(window->session()->model(), &ModelSlot::loadProgress, [&](double f) { lastProgress = f; });
    panel->load();
    ASSERT_TRUE(waitUntil([&] { return window->session()->model()->isRegression() && !window->session()->model()->loading(); }, 60000));
    EXPECT_GE(lastProgress, 0.0);
    ASSERT_TRUE(waitUntil([&] { return window->session()->analysis()->dialogueState(0) == AnalysisScheduler::State::Done; }, 120000));
    EXPECT_TRUE(window->session()->analysis()->result({0, 0})->predictedScore.has_value());
}

TEST_F(Studio, aPluginThatThrowsInLoad_isReported_andTheStudioKeepsItsModel) {
    auto window = openWindow();
    window->setPluginFolders({QString::fromStdString((test::binaryDir() / "test-plugins").string())});
    const auto folder = dir_->path() / "throwing-checkpoint";
    std::filesystem::create_directories(folder);
    std::ofstream(folder / "throw-in-load") << "";
    QString reported;
    QObject::connect(window->session()->model(), &ModelSlot::loadFailed, [&](const QString& message) { reported = message; });
    auto* panel = window->panels().plugins;
    ASSERT_TRUE(panel->inspect(QString::fromStdString(folder.string()))) << panel->summaryText().toStdString();
    panel->load();
    ASSERT_TRUE(waitUntil([&] { return !reported.isEmpty() && !window->session()->model()->loading(); }, 60000));
    EXPECT_TRUE(reported.contains(QStringLiteral("threw in load"))) << reported.toStdString();
    EXPECT_TRUE(reported.contains(QStringLiteral("the weights are not what this plugin expected"))) << reported.toStdString();
    // The model it had is still there and analyses.
    EXPECT_EQ(window->session()->model()->checkpointPath(), checkpoint());
    EXPECT_EQ(window->session()->analysis()->dialogueState(0), AnalysisScheduler::State::Done);
}

/// A load runs in the background with Cancel in the status bar; cancelled or finished first, the
/// Studio and its engine agree on the model in use.
TEST_F(Studio, loading_showsProgressAndCancel_andTheStudioAgreesWithItsEngine) {
    auto window = openWindow();
    auto* model = window->session()->model();
    QToolButton* cancel = nullptr;
    for (auto* button : window->findChildren<QToolButton*>()) {
        if (button->text() == QStringLiteral("Cancel loading")) cancel = button;
    }
    ASSERT_NE(cancel, nullptr);
    EXPECT_FALSE(cancel->isVisible());
    model->load(msaCheckpoint(), QStringLiteral("cpu"));
    EXPECT_TRUE(model->loading());
    EXPECT_TRUE(cancel->isVisible());
    cancel->click();
    ASSERT_TRUE(waitUntil([&] { return !model->loading(); }, 60000));
    spin(200);  // a load that finished before the click still delivers its model
    EXPECT_FALSE(cancel->isVisible());
    ASSERT_TRUE(model->engine().model().has_value());
    EXPECT_EQ(model->checkpointPath().toStdString(), model->engine().model()->checkpoint);
    // The Studio goes on analysing with whichever model it has.
    ASSERT_TRUE(waitUntil([&] { return window->session()->analysis()->dialogueState(0) == AnalysisScheduler::State::Done; }, 120000));
}

TEST_F(Studio, engineMenu_runsOnTheCpu_offersTheGpuOnlyWithCuda_andReloadsThere) {
    auto window = openWindow();
    ASSERT_NE(window->panels().devices, nullptr);
    const auto actions = window->panels().devices->actions();
    ASSERT_EQ(actions.size(), 3);
    EXPECT_TRUE(actions[0]->isChecked());
    const bool cuda = cudaAvailable();
    for (int i : {1, 2}) {
        EXPECT_EQ(actions[i]->isEnabled(), cuda);
        if (!cuda) {
            EXPECT_TRUE(actions[i]->toolTip().contains(QStringLiteral("CUDA")));
        }
    }
    // Choosing a device reloads the checkpoint there in the background and analyses again.
    const auto choose = [&](int i) {
        actions[i]->trigger();
        EXPECT_TRUE(window->session()->model()->loading());
        EXPECT_TRUE(waitUntil([&] { return !window->session()->model()->loading(); }, 120000));
        EXPECT_TRUE(waitUntil([&] { return window->session()->analysis()->dialogueState(0) == AnalysisScheduler::State::Done; }, 120000));
        EXPECT_TRUE(actions[i]->isChecked());
        ASSERT_NE(window->session()->analysis()->result({0, 0}), nullptr);
        EXPECT_FALSE(window->session()->analysis()->result({0, 0})->probabilities.empty());
    };
    choose(0);
    EXPECT_EQ(window->session()->model()->model()->device, "cpu");
    EXPECT_EQ(window->session()->model()->model()->dtype, "float32");
    if (cuda) {
        choose(1);
        EXPECT_TRUE(window->session()->model()->model()->device.starts_with("cuda"));
        EXPECT_EQ(window->session()->model()->model()->dtype, "bfloat16");
    }
}

TEST_F(Studio, pluginPanel_loadsAHuggingFaceCheckpointTrainedFromABase_andPredicts) {
    // A tiny Hugging Face Llama (the bundled demo's LLM, exported), a LoRA adapter and fusion
    // weights trained on it for 50 steps by `egmf train` on a text-only corpus.
    const auto root = dir_->path() / "hf-e2e";
    std::filesystem::create_directories(root / "data");
    const char* lines[][2] = {{"We won the tickets!", "joy"},
                              {"I miss her every day.", "sadness"},
                              {"You lied to me again!", "anger"},
                              {"The train gets in at six.", "neutral"},
                              {"Ugh, hair in my soup.", "disgust"}};
    for (const char* split : {"train", "dev"}) {
        std::ofstream csv(root / "data" / (std::string(split) + "_sent_emo.csv"));
        csv << "Sr No.,Utterance,Speaker,Emotion,Sentiment,Dialogue_ID,Utterance_ID,Season,Episode,StartTime,EndTime\n";
        for (int d = 0, n = 1; d < (std::string(split) == "train" ? 6 : 2); ++d) {
            for (int u = 0; u < 5; ++u, ++n) {
                csv << n << ",\"" << lines[(d + u) % 5][0] << "\",Lena," << lines[(d + u) % 5][1] << ",neutral," << d << ',' << u
                    << ",1,1,\"00:00:01,000\",\"00:00:02,000\"\n";
            }
        }
    }
    std::ofstream(root / "config.json") << R"({"dialogues_per_step": 1})";
    const std::string egmfBinary = (test::binaryDir() / "bin/egmf").string();
    const auto exportCommand =
        egmfBinary + " export --checkpoint '" + checkpoint().toStdString() + "' --huggingface '" + (root / "hf").string() + "'";
    ASSERT_EQ(std::system(exportCommand.c_str()), 0) << exportCommand;
    const auto trainCommand = egmfBinary + " train --dataset '" + (root / "data").string() + "' --out '" + (root / "trained").string() +
                              "' --config '" + (root / "config.json").string() + "' --base-model '" + (root / "hf/base").string() +
                              "' --max-steps 50 --threads 1 --features-cache '" + (root / "cache").string() + "' > /dev/null 2>&1";
    ASSERT_EQ(std::system(trainCommand.c_str()), 0) << trainCommand;

    auto window = openWindow();
    auto* panel = window->panels().plugins;
    ASSERT_TRUE(panel->inspect(QString::fromStdString((root / "trained").string())));
    EXPECT_TRUE(panel->summaryText().contains(QStringLiteral("Hugging Face LLM + PEFT LoRA"))) << panel->summaryText().toStdString();
    EXPECT_TRUE(panel->summaryText().contains(QStringLiteral("Hugging Face base:"))) << panel->summaryText().toStdString();
    EXPECT_TRUE(panel->summaryText().contains(QStringLiteral("LoRA: rank 16"))) << panel->summaryText().toStdString();
    panel->load();
    ASSERT_TRUE(waitUntil([&] { return !window->session()->model()->loading(); }, 60000));
    ASSERT_TRUE(waitUntil([&] { return window->session()->analysis()->dialogueState(0) == AnalysisScheduler::State::Done; }, 120000));
    const auto* result = window->session()->analysis()->result({0, 0});
    ASSERT_NE(result, nullptr);
    EXPECT_TRUE(result->error.empty()) << result->error;
    EXPECT_EQ(result->probabilities.size(), 7u);
    EXPECT_FALSE(result->scoredPrediction.empty());
}

}  // namespace
}  // namespace egmf

int main(int argc, char** argv) {
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("egmf-studio-tests"));
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}

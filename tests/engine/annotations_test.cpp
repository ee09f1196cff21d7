// The annotations store: edits merge over gold, exports, and the fault test: a child process
// writing edits in a loop is killed with SIGKILL 100 times at random moments; every edit it had
// reported as committed is there afterwards, and the store opens every time.
#include "egmf/app/annotations.h"

#include <sys/wait.h>
#include <unistd.h>
#include <csignal>
#include <fstream>
#include <random>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "test_support.h"

namespace egmf::data {
namespace {

TEST(Annotations, editsMergeOverGold_perAnnotator_andExport) {
    test::TempDir dir;
    auto store = AnnotationStore::open(dir.path() / "nested" / "a.sqlite");
    ASSERT_TRUE(store.ok()) << store.error().message;
    ASSERT_TRUE(store->put({"meld", "dev/dia0_utt0", "ann1", "anger", std::nullopt, "sounds angry", 0}).ok());
    ASSERT_TRUE(store->put({"meld", "dev/dia0_utt1", "ann2", "joy", std::nullopt, "", 0}).ok());
    ASSERT_TRUE(store->put({"meld", "dev/dia0_utt0", "ann1", "sadness", std::nullopt, "changed my mind, \"sad\"", 0}).ok());
    Dataset dataset;
    Utterance a, b;
    a.id = "dev/dia0_utt0";
    a.goldLabel = "neutral";
    b.id = "dev/dia0_utt1";
    b.goldLabel = "neutral";
    dataset.dialogues.push_back(Dialogue{"dev/dia0", {a, b}, "dev"});
    ASSERT_TRUE(store->applyTo(dataset, "meld", "ann1").ok());
    EXPECT_EQ(dataset.dialogues[0].utterances[0].goldLabel, "sadness");
    EXPECT_EQ(dataset.dialogues[0].utterances[1].goldLabel, "neutral") << "ann2's edit is not ann1's";
    auto all = store->edits("meld");
    ASSERT_TRUE(all.ok());
    EXPECT_EQ(all->size(), 2u);
    ASSERT_TRUE(store->exportCsv(dir.path() / "e.csv", "meld").ok());
    ASSERT_TRUE(store->exportJson(dir.path() / "e.json", "meld").ok());
    std::ifstream csv(dir.path() / "e.csv");
    std::string header, first;
    std::getline(csv, header);
    std::getline(csv, first);
    EXPECT_EQ(header, "dataset,utterance,annotator,label,score,note,edited_at_ms,reviewed");
    EXPECT_NE(first.find("\"changed my mind, \"\"sad\"\"\""), std::string::npos) << first;
    ASSERT_TRUE(store->remove("meld", "dev/dia0_utt1", "ann2").ok());
    EXPECT_EQ(store->edits("meld")->size(), 1u);
    std::ofstream(dir.path() / "junk.sqlite") << std::string(4096, 'j');
    auto junk = AnnotationStore::open(dir.path() / "junk.sqlite");
    ASSERT_FALSE(junk.ok());
    EXPECT_NE(junk.error().message.find("junk.sqlite"), std::string::npos);
}

TEST(Annotations, killNine_100Times_losesNoCommittedEdit) {
    test::TempDir dir;
    const auto file = dir.path() / "store.sqlite";
    std::mt19937 rng(99);
    long confirmedTotal = 0;
    for (int round = 0; round < 100; ++round) {
        int pipeFds[2];
        ASSERT_EQ(::pipe(pipeFds), 0);
        const pid_t child = ::fork();
        ASSERT_GE(child, 0);
        if (child == 0) {
            ::close(pipeFds[0]);
            auto store = AnnotationStore::open(file);
            if (!store.ok()) ::_exit(3);
            for (int i = 0;; ++i) {
                const Annotation edit{
                    "fault", "r" + std::to_string(round) + "_" + std::to_string(i), "ann", "label" + std::to_string(i), std::nullopt, "",
                    0};
                if (!store->put(edit).ok()) ::_exit(4);
                // Only after the commit returned: tell the parent this edit is durable.
                if (::write(pipeFds[1], &i, sizeof i) != sizeof i) ::_exit(5);
            }
        }
        ::close(pipeFds[1]);
        ::usleep(std::uniform_int_distribution<int>(2'000, 40'000)(rng));
        ::kill(child, SIGKILL);
        int status = 0;
        ::waitpid(child, &status, 0);
        ASSERT_TRUE(WIFSIGNALED(status)) << "the writer stopped by itself (exit " << WEXITSTATUS(status) << ")";
        int last = -1, value = 0;
        while (::read(pipeFds[0], &value, sizeof value) == sizeof value) last = value;
        ::close(pipeFds[0]);
        auto store = AnnotationStore::open(file);
        ASSERT_TRUE(store.ok()) << "round " << round << ": " << store.error().message;
        auto edits = store->edits("fault");
        ASSERT_TRUE(edits.ok());
        std::set<std::string> present;
        for (const auto& edit : *edits) present.insert(edit.utterance);
        for (int i = 0; i <= last; ++i) {
            ASSERT_TRUE(present.count("r" + std::to_string(round) + "_" + std::to_string(i)))
                << "round " << round << ": committed edit " << i << " of " << last << " is gone";
        }
        confirmedTotal += last + 1;
    }
    std::printf("[ store    ] 100 kills: %ld committed edits, all present\n", confirmedTotal);
}

}  // namespace
}  // namespace egmf::data

namespace egmf::data {
namespace {

TEST(Annotations, reviewedFlag_roundTrips_andOldStoresGainTheColumn) {
    test::TempDir dir;
    const auto file = dir.path() / "old.sqlite";
    // A store as the first version wrote it: no reviewed column, one edit.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(
                  db,
                  "CREATE TABLE annotations (dataset TEXT NOT NULL, utterance TEXT NOT NULL, "
                  "annotator TEXT NOT NULL, label TEXT, score REAL, note TEXT NOT NULL DEFAULT '', edited_at_ms INTEGER NOT NULL, "
                  "PRIMARY KEY (dataset, utterance, annotator)); INSERT INTO annotations VALUES ('d', 'u1', 'ann', 'joy', NULL, 'x', 5);",
                  nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
    auto store = AnnotationStore::open(file);
    ASSERT_TRUE(store.ok()) << store.error().message;
    auto before = store->edits("d");
    ASSERT_TRUE(before.ok());
    ASSERT_EQ(before->size(), 1u);
    EXPECT_FALSE(before->front().reviewed);
    Annotation a;
    a.dataset = "d", a.utterance = "u2", a.annotator = "ann", a.reviewed = true;
    ASSERT_TRUE(store->put(a).ok());
    auto after = store->edits("d");
    ASSERT_TRUE(after.ok());
    ASSERT_EQ(after->size(), 2u);
    EXPECT_EQ(after->at(0).label, std::optional<std::string>("joy"));
    EXPECT_TRUE(after->at(1).reviewed);
}

}  // namespace
}  // namespace egmf::data

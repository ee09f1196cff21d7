// The remote engine on localhost, for real: an EngineServer (gRPC, TLS with a certificate made by
// the test) running a LocalEngine on a tiny random checkpoint, and RemoteEngines connecting to it.
// Results equal the in-process engine's bit for bit; calls without a valid token or against another
// certificate are refused with the reason; paths outside the exported folders are refused; a
// chunked upload is stored once by hash; two clients are served in turn and cannot cancel each
// other's jobs; a server stopped mid-job and started again costs the client time, not results.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "../engine/test_support.h"
#include "egmf/app/sha256.h"
#include "egmf/local_engine.h"
#include "egmf/remote/engine_server.h"
#include "egmf/remote/remote_engine.h"
#include "egmf_engine.grpc.pb.h"
#include "remote/clip_store.h"
#include "remote/served_folders.h"
#include "remote/wire.h"

namespace egmf::remote {
namespace {

/// Records every event and lets a test wait for one.
struct Recorder : EngineObserver {
    std::mutex mutex;
    std::condition_variable changed;
    std::map<JobId, DialogueResult> results;
    std::map<JobId, Error> errors;
    std::map<JobId, int> progress, resultCount;
    std::map<JobId, ModelInfo> loaded;
    void onProgress(JobId id, int, int) override {
        std::lock_guard lock(mutex);
        ++progress[id];
    }
    void onResult(JobId id, const DialogueResult& result) override {
        std::lock_guard lock(mutex);
        results[id] = result;
        ++resultCount[id];
        changed.notify_all();
    }
    void onError(JobId id, const Error& error) override {
        std::lock_guard lock(mutex);
        errors[id] = error;
        changed.notify_all();
    }
    void onModelLoaded(JobId id, const ModelInfo& model) override {
        std::lock_guard lock(mutex);
        loaded[id] = model;
        changed.notify_all();
    }
    bool waitFor(const std::function<bool()>& done, int seconds = 60) {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, std::chrono::seconds(seconds), done);
    }
};

void expectSameResult(const DialogueResult& a, const DialogueResult& b) {
    ASSERT_EQ(a.dialogueId, b.dialogueId);
    ASSERT_EQ(a.utterances.size(), b.utterances.size());
    for (std::size_t i = 0; i < a.utterances.size(); ++i) {
        const auto &x = a.utterances[i], &y = b.utterances[i];
        EXPECT_EQ(x.utteranceId, y.utteranceId);
        EXPECT_EQ(x.error, y.error);
        EXPECT_EQ(x.generated, y.generated);
        EXPECT_EQ(x.prediction, y.prediction);
        EXPECT_EQ(x.scoredPrediction, y.scoredPrediction);
        EXPECT_EQ(x.labels, y.labels);
        EXPECT_EQ(x.labelLogProbs, y.labelLogProbs);  // bit for bit: doubles compared exactly
        EXPECT_EQ(x.probabilities, y.probabilities);
        EXPECT_EQ(x.tokenIds, y.tokenIds);
        EXPECT_EQ(x.tokenPieces, y.tokenPieces);
        EXPECT_EQ(x.attention.textToAv.values, y.attention.textToAv.values);
        EXPECT_EQ(x.attention.textToAv.shape, y.attention.textToAv.shape);
        EXPECT_EQ(x.attention.avToText.values, y.attention.avToText.values);
        EXPECT_EQ(x.gates.gates.values, y.gates.gates.values);
        EXPECT_EQ(x.gates.featureGates.values, y.gates.featureGates.values);
        EXPECT_EQ(x.gates.contextGates.values, y.gates.contextGates.values);
        EXPECT_EQ(x.gates.alpha, y.gates.alpha);
        ASSERT_EQ(x.positions.size(), y.positions.size());
        for (std::size_t p = 0; p < x.positions.size(); ++p) {
            EXPECT_EQ(x.positions[p].modality, y.positions[p].modality);
            EXPECT_EQ(x.positions[p].timeSec, y.positions[p].timeSec);
        }
    }
}

class RemoteEngineTest : public ::testing::Test {
protected:
    void SetUp() override {
        manifest = test::tinyManifest();
        checkpoint = data.path() / "tiny";
        ASSERT_TRUE(createRandomCheckpoint(checkpoint, manifest, 7, RandomInit::Perturbed).ok());
        ClientRegistry clients(state.path() / "clients.json");
        token = *clients.add("alice");
        otherToken = *clients.add("bob");
        startServer();
        std::ifstream cert(state.path() / "server.crt");
        certificatePem.assign(std::istreambuf_iterator<char>(cert), {});
    }
    void startServer(int port = 0) {
        ServerOptions options;
        options.listen = "127.0.0.1:" + std::to_string(port);
        options.stateDir = state.path();
        options.dataRoots = {data.path()};
        options.log = [this](const std::string& line) {
            std::lock_guard lock(logMutex);
            log.push_back(line);
        };
        auto started = EngineServer::start(options, [&](std::shared_ptr<EngineObserver> observer) -> Result<std::unique_ptr<Engine>> {
            auto engine = std::make_unique<LocalEngine>(std::move(observer));
            engine->setThreads(1);
            if (auto loaded = engine->loadAndWait(checkpoint, {"cpu", "float32"}); !loaded.ok()) return loaded.error();
            return std::unique_ptr<Engine>(std::move(engine));
        });
        ASSERT_TRUE(started.ok()) << started.error().message;
        server = std::move(*started);
    }
    RemoteOptions options(const std::string& withToken) const {
        RemoteOptions o;
        o.address = "127.0.0.1:" + std::to_string(server->port());
        o.token = withToken;
        o.certificatePem = certificatePem;
        return o;
    }
    EngineJob job(int utterances, unsigned seed, std::string view = {}) const {
        std::vector<std::string> missing(static_cast<std::size_t>(utterances), "");
        return EngineJob{EngineJob::Kind::Dialogue, test::randomDialogue(manifest, missing, seed), -1, {}, std::move(view)};
    }
    std::unique_ptr<v1::EngineService::Stub> rawStub() const {
        grpc::SslCredentialsOptions tls;
        tls.pem_root_certs = certificatePem;
        grpc::ChannelArguments arguments;
        arguments.SetSslTargetNameOverride("localhost");
        return v1::EngineService::NewStub(
            grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(server->port()), grpc::SslCredentials(tls), arguments));
    }
    bool logged(const std::string& part) {
        std::lock_guard lock(logMutex);
        for (const auto& line : log)
            if (line.find(part) != std::string::npos) return true;
        return false;
    }

    test::TempDir state, data;
    Manifest manifest;
    std::filesystem::path checkpoint;
    std::string token, otherToken, certificatePem;
    std::unique_ptr<EngineServer> server;
    std::mutex logMutex;
    std::vector<std::string> log;
};

TEST_F(RemoteEngineTest, results_equalTheLocalEngines_bitForBit) {
    auto local = std::make_shared<Recorder>();
    LocalEngine inProcess(local);
    inProcess.setThreads(1);
    ASSERT_TRUE(inProcess.loadAndWait(checkpoint, {"cpu", "float32"}).ok());
    auto remote = std::make_shared<Recorder>();
    auto client = RemoteEngine::connect(options(token), remote);
    ASSERT_TRUE(client.ok()) << client.error().message;
    ASSERT_TRUE((*client)->model().has_value());
    EXPECT_EQ((*client)->model()->manifest.labels, manifest.labels);
    EXPECT_EQ((*client)->model()->device, "cpu");

    auto single = job(3, 2);
    single.kind = EngineJob::Kind::Utterance;
    single.utteranceIndex = 1;
    auto ablation = job(2, 3);
    ablation.kind = EngineJob::Kind::Ablation;
    ablation.options.disabledModalities.set(static_cast<std::size_t>(Modality::Audio));
    ablation.options.disabledExperts.set(2);
    for (const auto& j : {job(4, 1), single, ablation}) {
        const auto a = inProcess.submit(j), b = (*client)->submit(j);
        inProcess.waitIdle();
        (*client)->waitIdle();
        ASSERT_EQ(remote->resultCount[b], 1) << (remote->errors.count(b) ? remote->errors[b].message : "");
        expectSameResult(local->results[a], remote->results[b]);
        EXPECT_EQ(remote->progress[b], local->progress[a]);
    }
    auto health = (*client)->health();
    ASSERT_TRUE(health.ok());
    EXPECT_EQ(health->clientName, "alice");
    EXPECT_TRUE(health->modelLoaded);
}

TEST_F(RemoteEngineTest, aLoadRunsOnTheServer_underItsDataRoots_only) {
    auto recorder = std::make_shared<Recorder>();
    auto client = RemoteEngine::connect(options(token), recorder);
    ASSERT_TRUE(client.ok()) << client.error().message;
    const auto good = (*client)->load(checkpoint, {"cpu", "float32"});
    const auto outside = (*client)->load("/etc", {"cpu", "float32"});
    ASSERT_TRUE(recorder->waitFor([&] { return recorder->errors.count(outside) > 0; }));
    EXPECT_NE(recorder->errors[outside].message.find("outside the folders this server exports"), std::string::npos)
        << recorder->errors[outside].message;
    (void)good;  // superseded by the next load on the client's side
    const auto again = (*client)->load(checkpoint, {"cpu", "float32"});
    ASSERT_TRUE(recorder->waitFor([&] { return recorder->loaded.count(again) > 0; }));
    EXPECT_EQ(recorder->loaded[again].checkpoint, std::filesystem::canonical(checkpoint).string());
}

TEST_F(RemoteEngineTest, refused_withoutAToken_withAWrongOrRevokedOne_andAgainstAnotherCertificate) {
    auto recorder = std::make_shared<Recorder>();
    auto none = RemoteEngine::connect(options(""), recorder);
    ASSERT_FALSE(none.ok());
    EXPECT_NE(none.error().message.find("no token"), std::string::npos) << none.error().message;
    auto wrong = RemoteEngine::connect(options("egmf_0000"), recorder);
    ASSERT_FALSE(wrong.ok());
    EXPECT_NE(wrong.error().message.find("unknown or revoked token"), std::string::npos) << wrong.error().message;
    EXPECT_TRUE(logged("refused ipv4:127.0.0.1:")) << "refusals are logged with the peer";

    // Revoked while connected: the next call is refused.
    auto bob = RemoteEngine::connect(options(otherToken), recorder);
    ASSERT_TRUE(bob.ok()) << bob.error().message;
    ASSERT_TRUE(*ClientRegistry(state.path() / "clients.json").revoke("bob"));
    const auto id = (*bob)->submit(job(2, 4));
    ASSERT_TRUE(recorder->waitFor([&] { return recorder->errors.count(id) > 0; }));
    EXPECT_NE(recorder->errors[id].message.find("revoked"), std::string::npos) << recorder->errors[id].message;

    // Another server's certificate: the TLS handshake fails, and the error says what to check.
    test::TempDir elsewhere;
    auto otherCert = loadOrCreateServerCertificate(elsewhere.path());
    ASSERT_TRUE(otherCert.ok());
    auto pinned = options(token);
    pinned.certificatePem = otherCert->certificatePem;
    auto mismatch = RemoteEngine::connect(pinned, recorder);
    ASSERT_FALSE(mismatch.ok());
    EXPECT_NE(mismatch.error().message.find("certificate"), std::string::npos) << mismatch.error().message;
    EXPECT_NE(mismatch.error().message.find(*certificateFingerprint(otherCert->certificatePem)), std::string::npos);
}

TEST_F(RemoteEngineTest, madeCertificate_isPinnable_andItsKeyPrivate) {
    struct stat key {};
    ASSERT_EQ(::stat((state.path() / "server.key").c_str(), &key), 0);
    EXPECT_EQ(key.st_mode & 0777, 0600u);
    struct stat clients {};
    ASSERT_EQ(::stat((state.path() / "clients.json").c_str(), &clients), 0);
    EXPECT_EQ(clients.st_mode & 0777, 0600u);
    std::ifstream file(state.path() / "clients.json");
    const std::string text((std::istreambuf_iterator<char>(file)), {});
    EXPECT_EQ(text.find(token), std::string::npos) << "tokens are stored hashed";
    // The fingerprint is the SHA-256 of the certificate's DER bytes, as openssl prints it.
    const auto der = state.path() / "cert.der";
    ASSERT_EQ(
        std::system(("openssl x509 -in '" + (state.path() / "server.crt").string() + "' -outform DER -out '" + der.string() + "'").c_str()),
        0);
    auto hex = sha256File(der);
    ASSERT_TRUE(hex.ok());
    std::string expected;
    for (std::size_t i = 0; i < hex->size(); i += 2)
        expected += (i ? ":" : "") + std::string(1, static_cast<char>(std::toupper((*hex)[i]))) +
                    std::string(1, static_cast<char>(std::toupper((*hex)[i + 1])));
    EXPECT_EQ(server->fingerprint(), expected);
    // What a client fetches to confirm (before it trusts it) is this very certificate.
    auto fetched = fetchServerCertificate("127.0.0.1:" + std::to_string(server->port()));
    ASSERT_TRUE(fetched.ok()) << fetched.error().message;
    EXPECT_EQ(*certificateFingerprint(*fetched), expected);
    EXPECT_FALSE(fetchServerCertificate("127.0.0.1:1").ok());
}

TEST(ServedFolders, refuseTraversal_outsidePaths_andEscapingSymlinks) {
    test::TempDir root, outside;
    std::filesystem::create_directories(root.path() / "clips");
    std::ofstream(root.path() / "clips" / "a.mp4") << "x";
    std::ofstream(outside.path() / "secret.mp4") << "x";
    std::filesystem::create_symlink(outside.path() / "secret.mp4", root.path() / "clips" / "escape.mp4");
    std::filesystem::create_symlink(root.path() / "clips" / "a.mp4", root.path() / "clips" / "inside.mp4");
    auto folders = ServedFolders::make({root.path()});
    ASSERT_TRUE(folders.ok());
    EXPECT_TRUE(folders->resolve("clips/a.mp4").ok());
    EXPECT_TRUE(folders->resolve((root.path() / "clips" / "a.mp4").string()).ok());
    EXPECT_TRUE(folders->resolve("clips/inside.mp4").ok()) << "a symlink that stays inside is served";
    for (const auto& refused :
         {std::string("clips/../clips/a.mp4"), std::string("../") + outside.path().filename().string() + "/secret.mp4",
          (outside.path() / "secret.mp4").string(), std::string("clips/escape.mp4"), std::string("/etc/passwd")}) {
        const auto resolved = folders->resolve(refused);
        ASSERT_FALSE(resolved.ok()) << refused;
        EXPECT_NE(resolved.error().message.find("refused"), std::string::npos) << resolved.error().message;
    }
    EXPECT_EQ(folders->resolve("clips/none.mp4").error().code, ErrorCode::NotFound);
    EXPECT_FALSE(ServedFolders::make({root.path() / "missing"}).ok());
}

TEST_F(RemoteEngineTest, aClipTheServerCannotSee_isUploadedInChunks_andStoredOnceByHash) {
    // 2.5 MiB of bytes a clip could hold, made by a process outside the project.
    const auto clip = state.path() / "upload.bin";
    ASSERT_EQ(std::system(("head -c 2621440 /dev/urandom > '" + clip.string() + "'").c_str()), 0);
    const auto hash = *sha256File(clip);
    std::ifstream in(clip, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), {});

    auto stub = rawStub();
    auto upload = [&](const std::string& declared, std::int64_t size, std::size_t chunk, std::string* stored) {
        grpc::ClientContext context;
        context.AddMetadata("authorization", "Bearer " + token);
        v1::UploadReply reply;
        auto writer = stub->UploadClip(&context, &reply);
        for (std::size_t at = 0; at < bytes.size(); at += chunk) {
            v1::ClipChunk part;
            if (at == 0) {
                part.set_sha256(declared);
                part.set_size(size);
            }
            part.set_data(bytes.substr(at, chunk));
            if (!writer->Write(part)) break;
        }
        writer->WritesDone();
        const auto status = writer->Finish();
        if (stored) *stored = reply.clip();
        return status;
    };
    auto resolve = [&](const std::string& name) {
        grpc::ClientContext context;
        context.AddMetadata("authorization", "Bearer " + token);
        v1::ResolveClipsRequest request;
        request.add_clips(name);
        request.add_sha256(hash);
        v1::ResolveClipsReply reply;
        EXPECT_TRUE(stub->ResolveClips(&context, request, &reply).ok());
        return reply.state(0);
    };
    EXPECT_EQ(resolve(clip.string()), "missing") << "the state folder is not a data root";
    std::string stored;
    const auto status = upload(hash, static_cast<std::int64_t>(bytes.size()), ClipStore::kMaxChunkBytes, &stored);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(stored, "sha256:" + hash);
    EXPECT_EQ(resolve(clip.string()), "stored");
    const auto kept = state.path() / "uploads" / hash;
    ASSERT_TRUE(std::filesystem::exists(kept));
    EXPECT_EQ(*sha256File(kept), hash);
    EXPECT_EQ(std::filesystem::file_size(kept), bytes.size());

    // A wrong hash, a size that lies, chunks over 1 MiB: refused, and nothing is kept.
    const std::string wrongHash(64, 'a');
    EXPECT_EQ(upload(wrongHash, static_cast<std::int64_t>(bytes.size()), ClipStore::kMaxChunkBytes, nullptr).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_FALSE(std::filesystem::exists(state.path() / "uploads" / wrongHash));
    EXPECT_EQ(upload(hash, 1000, ClipStore::kMaxChunkBytes, nullptr).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(upload(hash, static_cast<std::int64_t>(bytes.size()), 2 * ClipStore::kMaxChunkBytes, nullptr).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
    std::size_t parts = 0;
    for (const auto& entry : std::filesystem::directory_iterator(state.path() / "uploads")) parts += entry.path().extension() == ".part";
    EXPECT_EQ(parts, 0u);
}

TEST_F(RemoteEngineTest, aJobsClipsTheServerCannotRead_areUploadedOnce_andTheJobRuns) {
    test::TempDir client;  // not under the server's data root
    const auto clip = client.path() / "mine.mp4";
    ASSERT_EQ(std::system(("ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=96x64:rate=10:duration=1 -pix_fmt yuv420p '" +
                           clip.string() + "'")
                              .c_str()),
              0);
    auto recorder = std::make_shared<Recorder>();
    auto engine = RemoteEngine::connect(options(token), recorder);
    ASSERT_TRUE(engine.ok());
    auto withClips = job(3, 50);
    withClips.dialogue.utterances[0].clipPath = clip.string();
    withClips.dialogue.utterances[2].clipPath = clip.string();
    const auto first = (*engine)->submit(withClips);
    const auto second = (*engine)->submit(withClips);
    (*engine)->waitIdle();
    EXPECT_EQ(recorder->resultCount[first], 1) << (recorder->errors.count(first) ? recorder->errors[first].message : "");
    EXPECT_EQ(recorder->resultCount[second], 1);
    const auto stored = state.path() / "uploads" / *sha256File(clip);
    EXPECT_TRUE(std::filesystem::exists(stored));
    EXPECT_EQ(std::filesystem::file_size(stored), std::filesystem::file_size(clip));
    // A clip named outside the data roots and absent on both sides is the utterance's own error
    // there, as in-process; a path that escapes is refused with the reason.
    auto escaping = job(2, 51);
    escaping.dialogue.utterances[0].clipPath = "../outside-every-root/clip.mp4";
    const auto refused = (*engine)->submit(escaping);
    (*engine)->waitIdle();
    ASSERT_EQ(recorder->errors.count(refused), 1u);
    EXPECT_NE(recorder->errors[refused].message.find("\"..\""), std::string::npos) << recorder->errors[refused].message;
    EXPECT_TRUE(logged("refused ipv4:127.0.0.1"));
}

TEST_F(RemoteEngineTest, twoClients_areServedInTurn_andCannotCancelEachOthersJobs) {
    // Alice sends three dialogues in one batch; Bob sends one while her first runs.
    auto stub = rawStub();
    std::mutex orderMutex;
    std::vector<std::string> order;
    std::atomic<bool> aliceStarted{false};
    std::thread alice([&] {
        grpc::ClientContext context;
        context.AddMetadata("authorization", "Bearer " + token);
        v1::AnalyzeRequest request;
        for (unsigned i = 0; i < 3; ++i) {
            auto& wire = *request.add_jobs();
            toWire(job(8, 10 + i), i + 1, wire);  // what RemoteEngine sends, three jobs at once
        }
        auto reader = stub->Analyze(&context, request);
        v1::AnalyzeEvent event;
        while (reader->Read(&event)) {
            if (event.has_progress()) aliceStarted = true;
            if (event.has_result()) {
                std::lock_guard lock(orderMutex);
                order.push_back("A" + std::to_string(event.client_job_id()));
            }
        }
        EXPECT_TRUE(reader->Finish().ok());
    });
    while (!aliceStarted) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    auto bob = std::make_shared<Recorder>();
    auto b = RemoteEngine::connect(options(otherToken), bob);
    ASSERT_TRUE(b.ok());
    const auto bobJob = (*b)->submit(job(2, 20));
    // Bob names Alice's job ids: they are not his, so nothing is cancelled.
    {
        grpc::ClientContext context;
        context.AddMetadata("authorization", "Bearer " + otherToken);
        v1::CancelRequest request;
        request.add_client_job_ids(2);
        request.add_client_job_ids(3);
        v1::CancelReply reply;
        ASSERT_TRUE(stub->Cancel(&context, request, &reply).ok());
        EXPECT_EQ(reply.cancelled_size(), 0);
    }
    (*b)->waitIdle();
    {
        std::lock_guard lock(orderMutex);
        order.push_back("B");
    }
    alice.join();
    EXPECT_EQ(bob->resultCount[bobJob], 1);
    ASSERT_EQ(order.size(), 4u);
    const auto at = [&](const std::string& name) { return std::find(order.begin(), order.end(), name) - order.begin(); };
    EXPECT_LT(at("B"), at("A3")) << "Bob's one job waits for at most one of Alice's, not all three";
    EXPECT_LT(at("A1"), at("A2"));
    EXPECT_LT(at("A2"), at("A3"));
}

TEST_F(RemoteEngineTest, cancelAndSupersede_likeInProcess) {
    auto recorder = std::make_shared<Recorder>();
    auto client = RemoteEngine::connect(options(token), recorder);
    ASSERT_TRUE(client.ok());
    const auto first = (*client)->submit(job(6, 30, "screen"));
    const auto second = (*client)->submit(job(6, 31, "screen"));  // supersedes the first
    const auto third = (*client)->submit(job(3, 32));
    EXPECT_TRUE((*client)->cancel(third));
    (*client)->waitIdle();
    EXPECT_EQ(recorder->resultCount[first], 0);
    EXPECT_EQ(recorder->resultCount[second], 1);
    EXPECT_EQ(recorder->resultCount[third], 0);
    EXPECT_EQ(recorder->errors.size(), 0u);
    EXPECT_FALSE((*client)->cancel(second)) << "finished jobs cannot be cancelled";
}

TEST_F(RemoteEngineTest, serverStoppedMidJob_andStartedAgain_theClientResumes_nothingLostOrDoubled) {
    auto recorder = std::make_shared<Recorder>();
    auto client = RemoteEngine::connect(options(token), recorder);
    ASSERT_TRUE(client.ok());
    const int port = server->port();
    std::vector<JobId> jobs;
    for (unsigned i = 0; i < 4; ++i) jobs.push_back((*client)->submit(job(8, 40 + i)));
    // Wait until the first job is running on the server, then stop it.
    ASSERT_TRUE(recorder->waitFor([&] { return recorder->progress[jobs[0]] > 0; }));
    server.reset();
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    startServer(port);
    (*client)->waitIdle();
    for (const auto id : jobs) {
        EXPECT_EQ(recorder->resultCount[id], 1) << "job " << id << (recorder->errors.count(id) ? ": " + recorder->errors[id].message : "");
    }
    EXPECT_TRUE(recorder->errors.empty());
}

}  // namespace
}  // namespace egmf::remote

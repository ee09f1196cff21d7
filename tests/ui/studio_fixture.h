#pragma once
// The Studio tests' fixture: a MELD-layout folder of five clips the ffmpeg CLI makes once per
// test binary, the bundled ERC checkpoint, and an annotations store in the fixture's folder.

#include <QString>
#include <functional>
#include <memory>

#include <gtest/gtest.h>

#include "../engine/test_support.h"
#include "studio/main_window.h"
#include "ui/model_slot.h"
#include "ui/player_controller.h"

namespace egmf::test {

/// Runs the event loop until done() or the timeout; false on timeout.
bool waitUntil(const std::function<bool()>& done, int timeoutMs);
/// Loads `checkpoint` the way the Studio does (in the background) and waits: "" when it loaded,
/// else the load's error.
QString loadAndWait(ui::ModelSlot& model, const QString& checkpoint, const QString& device = QStringLiteral("cpu"),
                    const QString& dtype = QStringLiteral("auto"));
/// Runs the event loop for ms milliseconds.
void spin(int ms);
/// With EGMF_EXPECT_AUDIO=1 (tests/ui/with_null_sink.sh starts a PulseAudio null sink) the
/// player must have a sound device and run on its clock; otherwise it plays muted.
void expectAudioAsConfigured(const ui::PlayerController& player);

class Studio : public ::testing::Test {
protected:
    static void SetUpTestSuite();
    static void TearDownTestSuite();
    static QString dataset();
    static QString checkpoint();
    static QString store();
    /// A main window with the fixture open and its first dialogue analysed.
    std::unique_ptr<studio::MainWindow> openWindow();

    static TempDir* dir_;
};

}  // namespace egmf::test

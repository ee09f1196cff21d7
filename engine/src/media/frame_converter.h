#pragma once
// One decoded video frame -> one upright, square-pixel VideoFrame, tightly packed.
//
// Phones store portrait video sideways with a display matrix, and some encoders store
// non-square pixels (a sample aspect ratio); FFmpeg's decoders hand both over as stored. The
// consumers (face detection, the player) want what a person sees, so the conversion here does
// what the ffmpeg CLI does on its way to a picture: the display matrix's rotation and flips (the
// CLI's autorotate, same cases) on the decoded planes, then swscale to the display size (sample
// aspect ratio applied, then at most maxWidth wide). Formats whose planes cannot be turned alike
// (4:2:2, packed, semi-planar) are turned after swscale instead. swscale writes into GuardedPlanes (FFmpeg's alignment and
// padding, guard bytes checked after every call); the oriented copy into VideoFrame::pixels is
// tightly packed (width x height x 3, or Y U V without padding), which is what its consumers
// (FaceCropper, the player's frames, the YUV preprocessing) read.

#include <cstdint>
#include <string>

#include "av_ptr.h"
#include "egmf/app/media_file.h"
#include "guarded_planes.h"

namespace egmf::media {

/// Where each output pixel comes from: out(x, y) = in(sx, sy) with, when `transpose`,
/// sx = y and sy = x before the flips; a flip mirrors the source coordinate.
struct Orientation {
    bool transpose = false;
    bool flipSourceRows = false;     ///< sy -> rows - 1 - sy
    bool flipSourceColumns = false;  ///< sx -> columns - 1 - sx
    int rotationDegrees = 0;         ///< clockwise, as the ffmpeg CLI reads the matrix (0/90/180/270)
    bool isIdentity() const { return !transpose && !flipSourceRows && !flipSourceColumns; }
};

/// The orientation the ffmpeg CLI's autorotate gives for a stream's display matrix (nine
/// 16.16/2.30 fixed-point values; nullptr: upright). Angles that are not a multiple of 90
/// degrees are left unrotated (the CLI would rotate by an arbitrary angle and pad).
Orientation orientationFromDisplayMatrix(const std::int32_t* matrix);

/// The displayed size of a `width` x `height` frame stored with `sampleAspect` (num/den; 0 or
/// an implausible ratio: square pixels) in `orientation`, at most `maxWidth` wide (0: any).
void displaySize(int width, int height, int sampleAspectNum, int sampleAspectDen, const Orientation& orientation, int maxWidth,
                 int& displayWidth, int& displayHeight);

class FrameConverter {
public:
    explicit FrameConverter(std::string name) : m_name(std::move(name)) {}
    FrameConverter(const FrameConverter&) = delete;
    FrameConverter& operator=(const FrameConverter&) = delete;

    void setOrientation(const Orientation& orientation) { m_orientation = orientation; }
    const Orientation& orientation() const { return m_orientation; }
    /// Converts `frame` into `out` (its buffer reused); errors name the clip.
    Result<void> convert(const AVFrame& frame, int maxWidth, PixelFormat format, VideoFrame& out);

    /// A test's hook: the next convert() finds its guard damaged, as an overrun would leave it.
    void damageGuardsForTest() { m_damageForTest = true; }

private:
    Result<void> prepareScaler(const AVFrame& frame, int width, int height, PixelFormat format);
    /// `frame` turned upright into m_turned (same pixel format); only for planesCanTurn formats.
    Result<const AVFrame*> turnSource(const AVFrame& frame);

    std::string m_name;
    Orientation m_orientation;
    ScalerPtr m_scaler;
    struct Key {
        int srcWidth = 0, srcHeight = 0, srcFormat = -1, dstWidth = 0, dstHeight = 0;
        PixelFormat dstFormat = PixelFormat::Rgb24;
        bool operator==(const Key&) const = default;
    } m_key;
    GuardedPlanes m_planes;
    FramePtr m_turned;  ///< the stored frame turned upright (planesCanTurn formats)
    bool m_damageForTest = false;
};

}  // namespace egmf::media

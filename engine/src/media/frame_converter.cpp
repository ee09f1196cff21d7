#include "frame_converter.h"

#include <algorithm>
#include <cmath>
#include <cstring>

extern "C" {
#include <libavutil/display.h>
#include <libavutil/pixdesc.h>
}

namespace egmf::media {
namespace {

// Copies a plane of `columns` x `rows` pixels of `bytesPerPixel` into `out`, oriented; output
// rows are `outLineSize` bytes apart (0: tightly packed).
void orientPlane(const std::uint8_t* source, int lineSize, int columns, int rows, int bytesPerPixel, const Orientation& o,
                 std::uint8_t* out, int outLineSize = 0) {
    const auto pixel = static_cast<std::size_t>(bytesPerPixel);
    const int outColumns = o.transpose ? rows : columns, outRows = o.transpose ? columns : rows;
    const std::size_t outStride = outLineSize > 0 ? static_cast<std::size_t>(outLineSize) : static_cast<std::size_t>(outColumns) * pixel;
    if (!o.transpose) {
        const std::size_t rowBytes = static_cast<std::size_t>(columns) * pixel;
        for (int y = 0; y < rows; ++y) {
            const std::uint8_t* from = source + static_cast<std::ptrdiff_t>(o.flipSourceRows ? rows - 1 - y : y) * lineSize;
            std::uint8_t* to = out + static_cast<std::size_t>(y) * outStride;
            if (!o.flipSourceColumns) {
                std::memcpy(to, from, rowBytes);
                continue;
            }
            for (int x = 0; x < columns; ++x) {
                std::memcpy(to + static_cast<std::size_t>(x) * pixel, from + static_cast<std::size_t>(columns - 1 - x) * pixel, pixel);
            }
        }
        return;
    }
    // Transposed: output row y is source column y. Tiles keep both sides in the cache.
    constexpr int kTile = 32;
    for (int ty = 0; ty < outRows; ty += kTile) {
        for (int tx = 0; tx < outColumns; tx += kTile) {
            for (int y = ty; y < std::min(ty + kTile, outRows); ++y) {
                const int sx = o.flipSourceColumns ? columns - 1 - y : y;
                std::uint8_t* to = out + static_cast<std::size_t>(y) * outStride + static_cast<std::size_t>(tx) * pixel;
                for (int x = tx; x < std::min(tx + kTile, outColumns); ++x, to += pixel) {
                    const int sy = o.flipSourceRows ? rows - 1 - x : x;
                    const std::uint8_t* from =
                        source + static_cast<std::ptrdiff_t>(sy) * lineSize + static_cast<std::ptrdiff_t>(sx) * bytesPerPixel;
                    switch (bytesPerPixel) {
                        case 1:
                            *to = *from;
                            break;
                        case 2:
                            std::memcpy(to, from, 2);
                            break;
                        default:
                            std::memcpy(to, from, pixel);
                            break;
                    }
                }
            }
        }
    }
}

// Formats whose planes can be turned one by one into a frame of the same format: planar, no
// palette, chroma subsampled equally across and down (4:2:0, 4:4:4; 4:2:2 turned would be 4:4:0).
bool planesCanTurn(int format) {
    const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(static_cast<AVPixelFormat>(format));
    if (!d || !(d->flags & AV_PIX_FMT_FLAG_PLANAR) ||
        (d->flags & (AV_PIX_FMT_FLAG_PAL | AV_PIX_FMT_FLAG_HWACCEL | AV_PIX_FMT_FLAG_BITSTREAM)) || d->log2_chroma_w != d->log2_chroma_h) {
        return false;
    }
    for (int c = 0; c < d->nb_components; ++c) {
        if (d->comp[c].step > 2 || d->comp[c].offset != 0) return false;  // one component per plane, 8 or 16 bits
    }
    return true;
}

// JPEG's full-range formats are deprecated in swscale ("deprecated pixel format used, make sure
// you did set range correctly"): convert from the plain format with the range stated.
AVPixelFormat withoutJpegRange(AVPixelFormat format, bool& fullRange) {
    fullRange = true;
    switch (format) {
        case AV_PIX_FMT_YUVJ420P:
            return AV_PIX_FMT_YUV420P;
        case AV_PIX_FMT_YUVJ422P:
            return AV_PIX_FMT_YUV422P;
        case AV_PIX_FMT_YUVJ444P:
            return AV_PIX_FMT_YUV444P;
        case AV_PIX_FMT_YUVJ440P:
            return AV_PIX_FMT_YUV440P;
        case AV_PIX_FMT_YUVJ411P:
            return AV_PIX_FMT_YUV411P;
        default:
            fullRange = false;
            return format;
    }
}

}  // namespace

Orientation orientationFromDisplayMatrix(const std::int32_t* m) {
    Orientation o;
    if (!m) return o;
    // The ffmpeg CLI's reading (get_rotation and its autorotate filters), case by case.
    double theta = -std::round(av_display_rotation_get(m));
    if (!std::isfinite(theta)) return o;
    theta -= 360.0 * std::floor(theta / 360.0 + 0.9 / 360.0);
    if (std::fabs(theta - 90.0) < 1.0) {
        // transpose=clock, or cclock_flip when the matrix also mirrors
        o = m[3] > 0 ? Orientation{true, false, false, 90} : Orientation{true, true, false, 90};
    } else if (std::fabs(theta - 180.0) < 1.0) {
        o = Orientation{false, m[4] < 0, m[0] < 0, 180};
    } else if (std::fabs(theta - 270.0) < 1.0) {
        // transpose=cclock, or clock_flip when the matrix also mirrors
        o = m[3] < 0 ? Orientation{true, true, true, 270} : Orientation{true, false, true, 270};
    } else if (std::fabs(theta) < 1.0) {
        o.flipSourceRows = m[4] < 0;
    }
    return o;
}

void displaySize(int width, int height, int sampleAspectNum, int sampleAspectDen, const Orientation& orientation, int maxWidth,
                 int& displayWidth, int& displayHeight) {
    double w = width, h = height;
    // A damaged header can claim anything; no camera stores pixels 8 times wider than tall.
    if (sampleAspectNum > 0 && sampleAspectDen > 0) {
        const double aspect = static_cast<double>(sampleAspectNum) / sampleAspectDen;
        if (aspect >= 0.125 && aspect <= 8.0) w = std::max(1.0, std::round(w * aspect));
    }
    if (orientation.transpose) std::swap(w, h);
    if (maxWidth > 0 && w > maxWidth) {
        h = std::max(1.0, std::round(h * maxWidth / w));
        w = maxWidth;
    }
    displayWidth = static_cast<int>(w);
    displayHeight = static_cast<int>(h);
}

Result<void> FrameConverter::prepareScaler(const AVFrame& frame, int width, int height, PixelFormat format) {
    const Key key{frame.width, frame.height, frame.format, width, height, format};
    if (m_scaler && key == m_key) return {};
    bool fullRange = false;
    const AVPixelFormat source = withoutJpegRange(static_cast<AVPixelFormat>(frame.format), fullRange);
    // At the stored size only the chroma is interpolated: bicubic, as the ffmpeg CLI converts
    // (10-bit sources differ by up to 4 levels otherwise). Scaled down for detection: bilinear,
    // the cheaper filter, whose results the bundled checkpoints were made with.
    const bool sameSize = width == frame.width && height == frame.height;
    m_scaler.reset(sws_getContext(frame.width, frame.height, source, width, height,
                                  format == PixelFormat::Yuv420p ? AV_PIX_FMT_YUV420P : AV_PIX_FMT_RGB24,
                                  sameSize ? SWS_BICUBIC : SWS_BILINEAR, nullptr, nullptr, nullptr));
    if (!m_scaler) {
        const char* name = av_get_pix_fmt_name(static_cast<AVPixelFormat>(frame.format));
        return makeError(ErrorCode::Corrupt,
                         m_name + ": cannot convert its video frames (pixel format " + (name ? name : std::to_string(frame.format)) + ")");
    }
    if (fullRange) {
        int* inverse = nullptr;
        int* table = nullptr;
        int sourceRange = 0, destinationRange = 0, brightness = 0, contrast = 0, saturation = 0;
        if (sws_getColorspaceDetails(m_scaler.get(), &inverse, &sourceRange, &table, &destinationRange, &brightness, &contrast,
                                     &saturation) >= 0) {
            sws_setColorspaceDetails(m_scaler.get(), inverse, 1, table, destinationRange, brightness, contrast, saturation);
        }
    }
    m_key = key;
    return {};
}

Result<const AVFrame*> FrameConverter::turnSource(const AVFrame& frame) {
    const int width = m_orientation.transpose ? frame.height : frame.width;
    const int height = m_orientation.transpose ? frame.width : frame.height;
    if (!m_turned || m_turned->width != width || m_turned->height != height || m_turned->format != frame.format) {
        m_turned.reset(av_frame_alloc());
        if (!m_turned) return makeError(ErrorCode::Internal, m_name + ": out of memory for a video frame");
        m_turned->width = width;
        m_turned->height = height;
        m_turned->format = frame.format;
        if (av_frame_get_buffer(m_turned.get(), 0) < 0) {
            m_turned.reset();
            return makeError(ErrorCode::Internal, m_name + ": out of memory for a video frame");
        }
    }
    // Frames are reference-counted and may be shared with the decoder: ours is written only here.
    if (av_frame_make_writable(m_turned.get()) < 0) return makeError(ErrorCode::Internal, m_name + ": out of memory");
    const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(static_cast<AVPixelFormat>(frame.format));
    for (int c = 0; c < d->nb_components; ++c) {
        const int plane = d->comp[c].plane;
        const bool chroma = !(d->flags & AV_PIX_FMT_FLAG_RGB) && (c == 1 || c == 2);
        const int columns = chroma ? AV_CEIL_RSHIFT(frame.width, d->log2_chroma_w) : frame.width;
        const int rows = chroma ? AV_CEIL_RSHIFT(frame.height, d->log2_chroma_h) : frame.height;
        orientPlane(frame.data[plane], frame.linesize[plane], columns, rows, d->comp[c].step, m_orientation, m_turned->data[plane],
                    m_turned->linesize[plane]);
    }
    m_turned->sample_aspect_ratio =
        m_orientation.transpose ? AVRational{frame.sample_aspect_ratio.den, frame.sample_aspect_ratio.num} : frame.sample_aspect_ratio;
    return m_turned.get();
}

Result<void> FrameConverter::convert(const AVFrame& stored, int maxWidth, PixelFormat format, VideoFrame& out) {
    // Turned before swscale where the planes allow it (what the CLI does: its transpose filter
    // comes before the conversion), so interpolated chroma comes out as from an upright clip;
    // otherwise turned after the conversion, in RGB or 4:2:0.
    const AVFrame* source = &stored;
    Orientation after = m_orientation;
    if (!m_orientation.isIdentity() && planesCanTurn(stored.format)) {
        auto turned = turnSource(stored);
        if (!turned) return turned.error();
        source = *turned;
        after = Orientation{};
    }
    const AVFrame& frame = *source;
    int width = 0, height = 0;
    displaySize(frame.width, frame.height, frame.sample_aspect_ratio.num, frame.sample_aspect_ratio.den, after, maxWidth, width, height);
    const int scaledWidth = after.transpose ? height : width;
    const int scaledHeight = after.transpose ? width : height;
    if (auto ready = prepareScaler(frame, scaledWidth, scaledHeight, format); !ready) return ready;
    const bool yuv = format == PixelFormat::Yuv420p;
    const int chromaWidth = (scaledWidth + 1) / 2, chromaHeight = (scaledHeight + 1) / 2;
    const int rowBytes[3] = {yuv ? scaledWidth : scaledWidth * 3, chromaWidth, chromaWidth};
    const int rows[3] = {scaledHeight, chromaHeight, chromaHeight};
    if (!m_planes.reshape(yuv ? 3 : 1, rowBytes, rows)) {
        return makeError(ErrorCode::Internal, m_name + ": out of memory for a video frame");
    }
    if (sws_scale(m_scaler.get(), frame.data, frame.linesize, 0, frame.height, m_planes.data(), m_planes.lineSizes()) != scaledHeight) {
        return makeError(ErrorCode::Corrupt, m_name + ": video frame conversion failed");
    }
    if (m_damageForTest) {
        m_planes.damageGuardForTest();
        m_damageForTest = false;
    }
    if (!m_planes.intact()) {
        return makeError(ErrorCode::Internal, m_name + ": FFmpeg wrote past a " + std::to_string(scaledWidth) + "x" +
                                                  std::to_string(scaledHeight) +
                                                  " frame buffer (a bug in our buffer sizes; please report it with this clip)");
    }
    out.width = width;
    out.height = height;
    out.format = format;
    const std::size_t lumaSize = static_cast<std::size_t>(width) * height;
    const std::size_t chromaSize = static_cast<std::size_t>((width + 1) / 2) * ((height + 1) / 2);
    out.pixels.resize(yuv ? lumaSize + 2 * chromaSize : lumaSize * 3);
    if (!yuv) {
        orientPlane(m_planes.plane(0), m_planes.lineSize(0), scaledWidth, scaledHeight, 3, after, out.pixels.data());
        return {};
    }
    orientPlane(m_planes.plane(0), m_planes.lineSize(0), scaledWidth, scaledHeight, 1, after, out.pixels.data());
    for (int p = 1; p < 3; ++p) {
        orientPlane(m_planes.plane(p), m_planes.lineSize(p), chromaWidth, chromaHeight, 1, after,
                    out.pixels.data() + lumaSize + static_cast<std::size_t>(p - 1) * chromaSize);
    }
    return {};
}

}  // namespace egmf::media

#pragma once
// Result<T>: a value or an Error. The engine's public API returns these instead of throwing:
// exceptions may be used inside the engine but never cross a thread, plugin or API boundary.
// An Error's message names the file involved and says what to do about it.

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace egmf {

enum class ErrorCode {
    InvalidArgument,  ///< the caller passed something unusable
    NotFound,         ///< a file or key does not exist
    Io,               ///< the OS refused a read, write or map
    Corrupt,          ///< a file exists but its content is malformed or hostile
    Unsupported,      ///< well-formed, but asks for something this build does not do
    Mismatch,         ///< a checkpoint does not fit the model it claims (keys, shapes)
    Cancelled,        ///< the caller cancelled the work
    Internal,         ///< a bug: an exception escaped where none was expected
};

struct Error {
    ErrorCode code = ErrorCode::Internal;
    std::string message;
};

inline Error makeError(ErrorCode code, std::string message) {
    return Error{code, std::move(message)};
}

template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_state(std::move(value)) {}
    Result(Error error) : m_state(std::move(error)) {}

    bool ok() const { return m_state.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & {
        assert(ok());
        return std::get<0>(m_state);
    }
    const T& value() const& {
        assert(ok());
        return std::get<0>(m_state);
    }
    T&& value() && {
        assert(ok());
        return std::get<0>(std::move(m_state));
    }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const Error& error() const {
        assert(!ok());
        return std::get<1>(m_state);
    }

private:
    std::variant<T, Error> m_state;
};

/// Result<void>: success or an Error.
template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : m_error(std::move(error)), m_ok(false) {}
    bool ok() const { return m_ok; }
    explicit operator bool() const { return m_ok; }
    const Error& error() const {
        assert(!m_ok);
        return m_error;
    }

private:
    Error m_error;
    bool m_ok = true;
};

}  // namespace egmf

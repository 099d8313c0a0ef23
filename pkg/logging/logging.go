// Package logging builds the one zap logger shape every Newsflow binary uses:
// JSON lines with "ts" (RFC 3339), "level", "msg", "service" and snake_case
// fields from a small shared set (see the Key constants).
//
// It depends only on zap.
package logging

import (
	"fmt"
	"io"
	"os"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Shared field keys. Using these names everywhere lets an operator follow
// one URL through every service with one jq filter.
const (
	KeyService = "service"
	KeyStage   = "stage"
	KeyURL     = "url"
	KeyHost    = "host"
	KeyStatus  = "status"
	KeyAttempt = "attempt"
	KeyTook    = "took"
	KeyBytes   = "bytes"
	KeyTraceID = "trace_id"
	KeyOutcome = "outcome"
	KeyReason  = "reason"
)

// New returns a JSON logger for service writing to stderr at level
// ("debug", "info", "warn", "error"). It returns an error for an unknown level.
func New(service, level string) (*zap.Logger, error) {
	return NewTo(os.Stderr, service, level)
}

// NewTo is New writing to w, for tests and for embedding several services
// in one process.
func NewTo(w io.Writer, service, level string) (*zap.Logger, error) {
	lvl, err := zapcore.ParseLevel(level)
	if err != nil {
		return nil, fmt.Errorf("log level %q: want debug, info, warn or error", level)
	}
	enc := zapcore.NewJSONEncoder(zapcore.EncoderConfig{
		TimeKey:        "ts",
		LevelKey:       "level",
		NameKey:        "logger",
		MessageKey:     "msg",
		StacktraceKey:  "stacktrace",
		LineEnding:     zapcore.DefaultLineEnding,
		EncodeLevel:    zapcore.LowercaseLevelEncoder,
		EncodeTime:     zapcore.RFC3339NanoTimeEncoder,
		EncodeDuration: zapcore.StringDurationEncoder,
	})
	core := zapcore.NewCore(enc, zapcore.Lock(zapcore.AddSync(w)), lvl)
	return zap.New(core, zap.AddStacktrace(zapcore.DPanicLevel)).With(zap.String(KeyService, service)), nil
}

// Command ferretdb-server runs embedded FerretDB v1 (SQLite backend) for ModelHub's test suite.
//
// The upstream `go install .../cmd/ferretdb@v1.24.2` binary panics at start because
// build/version/version.txt is not part of the module; the embeddable package has no such check.
//
// Usage:
//
//	ferretdb-server -listen 127.0.0.1:27017 -sqlite-dir /abs/data/dir
//
// It prints the MongoDB URI on stdout once listening and stops cleanly on SIGTERM/SIGINT.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	sqliteDir := flag.String("sqlite-dir", "", "directory for the SQLite databases (created if missing)")
	logLevel := flag.String("log-level", "info", "log level: debug, info, warn or error")
	flag.Parse()

	if err := run(*listen, *sqliteDir, *logLevel); err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb-server:", err)
		os.Exit(1)
	}
}

func run(listen, sqliteDir, logLevel string) error {
	if sqliteDir == "" {
		return fmt.Errorf("-sqlite-dir is required")
	}

	dir, err := filepath.Abs(sqliteDir)
	if err != nil {
		return err
	}

	// FerretDB requires an existing directory and a URI path ending with "/".
	if err = os.MkdirAll(dir, 0o755); err != nil {
		return err
	}

	if !strings.HasSuffix(dir, "/") {
		dir += "/"
	}

	sqliteURL := (&url.URL{Scheme: "file", Path: dir}).String() // file:///abs/dir/

	var level slog.Level
	if err = level.UnmarshalText([]byte(logLevel)); err != nil {
		return fmt.Errorf("bad -log-level: %w", err)
	}

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	f, err := ferretdb.New(&ferretdb.Config{
		Listener: ferretdb.ListenerConfig{
			TCP: listen,
		},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: sqliteURL,
	})
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	// The listener is already bound when New returns; the accept loop starts in Run.
	fmt.Println(f.MongoDBURI())

	if err = f.Run(ctx); err != nil {
		return err
	}

	logger.Info("stopped")

	return nil
}

package service

import (
	"strings"
	"testing"
	"time"
)

func TestLoadConfig(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		check   func(Config) bool
		wantErr string
	}{
		{name: "defaults", check: func(c Config) bool {
			return c.HostRate == 1 && !c.AllowPrivate && c.Workers == 16 && c.MaxBody == 5<<20 &&
				c.UserAgent == DefaultUserAgent && c.Common.HTTPAddr == ":8081" && c.MaxRedirects == 10 &&
				c.RobotsTTL == 24*time.Hour && c.HostInterval() == time.Second
		}},
		{name: "env", env: map[string]string{
			"FETCHER_HOST_RATE": "2.5", "FETCHER_ALLOW_PRIVATE": "true", "FETCHER_USER_AGENT": "TestBot/1 (+https://t.example)",
			"FETCHER_WORKERS": "4", "FETCHER_MAX_BODY": "1048576", "FETCHER_TIMEOUT": "5s", "HTTP_ADDR": ":9999",
		}, check: func(c Config) bool {
			return c.HostRate == 2.5 && c.AllowPrivate && c.Workers == 4 && c.MaxBody == 1<<20 &&
				c.Timeout == 5*time.Second && c.UserAgent == "TestBot/1 (+https://t.example)" && c.Common.HTTPAddr == ":9999" &&
				c.HostInterval() == 400*time.Millisecond
		}},
		{name: "flag beats env", args: []string{"-host-rate", "4"}, env: map[string]string{"FETCHER_HOST_RATE": "2"}, check: func(c Config) bool {
			return c.HostRate == 4
		}},
		{name: "bad rate env", env: map[string]string{"FETCHER_HOST_RATE": "fast"}, wantErr: "FETCHER_HOST_RATE"},
		{name: "zero rate", args: []string{"-host-rate", "0"}, wantErr: "host-rate"},
		{name: "bad bool", env: map[string]string{"FETCHER_ALLOW_PRIVATE": "maybe"}, wantErr: "FETCHER_ALLOW_PRIVATE"},
		{name: "robots ttl over a day", args: []string{"-robots-ttl", "48h"}, wantErr: "robots-ttl"},
		{name: "inline too large", args: []string{"-inline-max", "2000000"}, wantErr: "inline-max"},
		{name: "body over what the parser reads", args: []string{"-max-body", "20000000"}, wantErr: "max-body"},
		{name: "listing body over what the parser reads", env: map[string]string{"FETCHER_MAX_LISTING_BODY": "70000000"}, wantErr: "max-listing-body"},
		{name: "no workers", args: []string{"-workers", "0"}, wantErr: "workers"},
		{name: "stray args", args: []string{"extra"}, wantErr: "unexpected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := LoadConfig(tt.args, func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(cfg) {
				t.Errorf("config %+v", cfg)
			}
		})
	}
}

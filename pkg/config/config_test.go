package config

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

func TestRegisterCommon(t *testing.T) {
	tests := []struct {
		name        string
		args        []string
		env         map[string]string
		wantURL     string
		wantAckWait time.Duration
		wantErr     string
	}{
		{name: "defaults", wantURL: "nats://127.0.0.1:4222"},
		{name: "env", env: map[string]string{"NATS_URL": "nats://a:4222,nats://b:4222", "NATS_ACK_WAIT": "5s"}, wantURL: "nats://a:4222,nats://b:4222", wantAckWait: 5 * time.Second},
		{name: "flag beats env", args: []string{"-nats-url", "nats://flag:4222"}, env: map[string]string{"NATS_URL": "nats://env:4222"}, wantURL: "nats://flag:4222"},
		{name: "bad ack wait", env: map[string]string{"NATS_ACK_WAIT": "soon"}, wantErr: "NATS_ACK_WAIT"},
		{name: "bad replicas", env: map[string]string{"NATS_REPLICAS": "three"}, wantErr: "NATS_REPLICAS"},
		{name: "too many replicas", args: []string{"-nats-replicas", "9"}, wantErr: "nats-replicas"},
		{name: "bad level", env: map[string]string{"LOG_LEVEL": "chatty"}, wantErr: "log-level"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("x", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			c := RegisterCommon(fs, func(k string) string { return tt.env[k] }, "svc", ":9")
			err := fs.Parse(tt.args)
			if err == nil {
				err = c.Validate()
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one about %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.NATS.URL != tt.wantURL || c.AckWait != tt.wantAckWait || c.HTTPAddr != ":9" || c.NATS.Name != "svc" {
				t.Errorf("got %+v", c)
			}
			if c.Topology().AckWait != tt.wantAckWait {
				t.Errorf("topology ack wait %v", c.Topology().AckWait)
			}
		})
	}
}

func TestDefaultCommonIsWhatRegisterCommonGives(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	c := RegisterCommon(fs, func(string) string { return "" }, "svc", ":9")
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if d := DefaultCommon("svc", ":9"); *c != d {
		t.Errorf("RegisterCommon with no flags and no environment = %+v, DefaultCommon = %+v", *c, d)
	}
}

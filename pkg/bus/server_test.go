package bus

import "testing"

func TestServerFeatures(t *testing.T) {
	tests := []struct {
		give string
		want Features
	}{
		{give: "2.9.10", want: Features{}},
		{give: "2.10.0", want: Features{Compression: true}},
		{give: "2.10.3", want: Features{Compression: true}},
		{give: "2.10.4", want: Features{TermReason: true, Compression: true}},
		{give: "v2.11.0-RC.1", want: Features{TermReason: true, Compression: true}},
		{give: "2.15.2", want: Features{TermReason: true, Compression: true}},
		{give: "3.0.0", want: Features{TermReason: true, Compression: true}},
		{give: "", want: Features{}},
		{give: "2.10", want: Features{}},
		{give: "garbage", want: Features{}},
	}
	for _, tt := range tests {
		if got := ServerFeatures(tt.give); got != tt.want {
			t.Errorf("ServerFeatures(%q) = %+v, want %+v", tt.give, got, tt.want)
		}
	}
}

func TestCheckServer(t *testing.T) {
	tests := []struct {
		give    string
		wantErr bool
	}{
		{give: "2.9.0"},
		{give: "2.9.10"},
		{give: "2.10.4"},
		{give: "2.8.4", wantErr: true},
		{give: "1.4.1", wantErr: true},
		{give: "", wantErr: true},
	}
	for _, tt := range tests {
		if err := CheckServer(tt.give); (err != nil) != tt.wantErr {
			t.Errorf("CheckServer(%q) = %v, want error %v", tt.give, err, tt.wantErr)
		}
	}
}

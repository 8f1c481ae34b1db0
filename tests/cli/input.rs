//! Reading a log: column aliases and mapping, standard input, gzip and zstd, row order, and
//! the streamed reader against the sorted one.

use super::*;

#[test]
fn aliases_value_aliases_and_epoch_times_read_the_same_log() {
    let canonical = estimate_csv(&data("example4-era-c.csv"), &[]);
    let aliased = estimate_csv(&data("aliases.csv"), &[]);
    assert_eq!(canonical, aliased);
}

#[test]
fn column_mapping_reads_any_header() {
    let out = estimate_csv(
        &data("custom-headers.csv"),
        &[
            "--column",
            "timestamp=Date Sent",
            "--column",
            "recipient=Client",
        ],
    );
    assert_eq!(out, estimate_csv(&data("example4-era-c.csv"), &[]));
}

#[test]
fn stdin_and_gzip_input() {
    let plain = std::fs::read(data("example4-era-c.csv")).unwrap();
    let expected = estimate_csv(&data("example4-era-c.csv"), &[]);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&plain).unwrap();
    let gz = gz.finish().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.csv.gz");
    std::fs::write(&path, &gz).unwrap();
    assert_eq!(estimate_csv(path.to_str().unwrap(), &[]), expected);
    let out = waprice()
        .args(["estimate", "-", "--format", "csv"])
        .write_stdin(gz)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);
}

#[test]
fn zstd_input_from_a_file_and_stdin_including_concatenated_frames_and_long_windows() {
    let plain = std::fs::read(data("example4-era-c.csv")).unwrap();
    let expected = estimate_csv(&data("example4-era-c.csv"), &[]);
    let dir = tempfile::tempdir().unwrap();
    let zst = zstd::encode_all(&plain[..], 3).unwrap();
    let path = dir.path().join("log.csv.zst");
    std::fs::write(&path, &zst).unwrap();
    assert_eq!(estimate_csv(path.to_str().unwrap(), &[]), expected);
    let out = waprice()
        .args(["estimate", "-", "--format", "csv"])
        .write_stdin(zst)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);

    // `cat a.zst b.zst`: the header in the first frame, the rows split over both.
    let cut = plain.iter().position(|&b| b == b'\n').unwrap() + 1;
    let mut two = zstd::encode_all(&plain[..cut], 1).unwrap();
    two.extend(zstd::encode_all(&plain[cut..], 19).unwrap());
    let path = dir.path().join("two-frames.zst");
    std::fs::write(&path, &two).unwrap();
    assert_eq!(estimate_csv(path.to_str().unwrap(), &[]), expected);

    // `zstd --long=31`: a window larger than the decoder's default limit.
    let mut enc = zstd::stream::write::Encoder::new(Vec::new(), 3).unwrap();
    enc.long_distance_matching(true).unwrap();
    enc.window_log(31).unwrap();
    enc.write_all(&plain).unwrap();
    let path = dir.path().join("long.zst");
    std::fs::write(&path, enc.finish().unwrap()).unwrap();
    assert_eq!(estimate_csv(path.to_str().unwrap(), &[]), expected);
}

#[test]
fn a_truncated_zstd_log_is_an_error_not_a_shorter_bill() {
    let plain = std::fs::read(data("example4-era-c.csv")).unwrap();
    let zst = zstd::encode_all(&plain[..], 3).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.csv.zst");
    std::fs::write(&path, &zst[..zst.len() - 8]).unwrap();
    let out = waprice()
        .args(["estimate", path.to_str().unwrap(), "--format", "csv"])
        .output()
        .unwrap();
    assert_ne!(
        out.status.code(),
        Some(0),
        "a cut file must not give a bill"
    );
    assert!(
        out.stdout.is_empty(),
        "no bill on stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cut.csv.zst"),
        "the error names the file: {err}"
    );
}

#[test]
fn row_order_does_not_matter() {
    let text = std::fs::read_to_string(data("example4-era-c.csv")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[1..].reverse();
    let out = waprice()
        .args(["estimate", "-", "--format", "csv"])
        .write_stdin(lines.join("\n"))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        estimate_csv(&data("example4-era-c.csv"), &[])
    );
}

#[test]
fn streamed_files_and_sorted_in_memory_logs_give_the_same_bill() {
    // A file in time order is streamed; stdin and unsorted files are read whole and sorted.
    for (file, args) in SAMPLES {
        let streamed = estimate_csv(file, args);
        let text = std::fs::read_to_string(file).unwrap();
        let out = waprice()
            .args([&["estimate", "-", "--format", "csv"][..], args].concat())
            .write_stdin(text.clone())
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            streamed,
            "{file} via stdin"
        );
        // The same rows, last first, in a file: the streaming pass finds them out of order.
        let mut lines: Vec<&str> = text.lines().collect();
        lines[1..].reverse();
        let dir = tempfile::tempdir().unwrap();
        let reversed = dir.path().join("reversed.csv");
        std::fs::write(&reversed, lines.join("\n")).unwrap();
        assert_eq!(
            estimate_csv(reversed.to_str().unwrap(), args),
            streamed,
            "{file} reversed"
        );
    }
}

#[test]
fn a_bad_row_in_a_streamed_file_stops_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.csv");
    let mut text = String::from("timestamp,direction,category,recipient\n");
    for i in 0..20_000 {
        text.push_str(&format!(
            "2025-09-01T10:{:02}:{:02}Z,outbound,marketing,+33612345678\n",
            i / 60 % 60,
            i % 60
        ));
    }
    text.push_str("2025-09-02T10:00:00Z,outbound,marketing,+33 not a number\n");
    std::fs::write(&path, text).unwrap();
    let out = waprice()
        .args(["estimate", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 20002, column 'recipient'"), "{err}");
    assert!(out.stdout.is_empty(), "no partial estimate is printed");
}

#[test]
fn a_large_unsorted_file_falls_back_to_sorting_without_hanging() {
    // More rows than the streaming reader's channel holds, so the reading thread is blocked
    // on a full channel when the replaying side finds the disorder and gives up.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("unsorted.csv");
    let mut text = String::from("timestamp,direction,category,recipient\n");
    for i in (0..120_000u64).rev() {
        let (d, s) = (1 + i / 86_400 % 28, i % 86_400);
        text.push_str(&format!(
            "2025-09-{d:02}T{:02}:{:02}:{:02}Z,outbound,marketing,+33 6 {}\n",
            s / 3600,
            s / 60 % 60,
            s % 60,
            10_000_000 + i % 5_000
        ));
    }
    std::fs::write(&path, &text).unwrap();
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("waprice"));
    let mut child = cmd
        .args(["estimate", path.to_str().unwrap(), "--format", "csv"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "estimate hung on an unsorted file"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("\n2025-09,120000,"), "{text}");
}

/// A plain file of more than 32 MiB out of time order is parsed by two readers, one per half;
/// standard input is always read by one. The same bytes give the same bill, notes included.
#[test]
fn a_large_unsorted_file_read_in_two_halves_bills_as_standard_input_does() {
    let mut text = String::from("timestamp,direction,category,recipient,business,status\n");
    let mut i: u64 = 0;
    while text.len() < 34 << 20 {
        // Days and hours jump about, so the log is out of time order everywhere.
        let (day, hour, minute) = (1 + i * 7 % 28, i * 5 % 24, i % 60);
        let month = ["2023-03", "2024-05", "2025-08", "2026-10"][(i % 4) as usize];
        let (direction, category) = [
            ("inbound", ""),
            ("outbound", "marketing"),
            ("outbound", "utility"),
            ("outbound", "authentication"),
        ][(i % 7 % 4) as usize];
        let status = if i.is_multiple_of(13) {
            "failed"
        } else {
            "delivered"
        };
        let customer = 33_612_300_000 + i * 7_919 % 40_000;
        let business = if i.is_multiple_of(3) {
            "+1 555 0100"
        } else {
            "+34 911 222 333"
        };
        text += &format!("{month}-{day:02}T{hour:02}:{minute:02}:00Z,{direction},{category},+{customer},{business},{status}\n");
        i += 1;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("large.csv");
    std::fs::write(&path, &text).unwrap();
    let run = |cmd: &mut Command| {
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        (out.stdout, String::from_utf8(out.stderr).unwrap())
    };
    let args = ["--format", "csv", "--no-progress", "--currency", "EUR"];
    let halves = run(waprice().arg("estimate").arg(&path).args(args));
    let stdin = run(waprice()
        .args(["estimate", "-"])
        .args(args)
        .write_stdin(text));
    assert_eq!(halves.0, stdin.0);
    assert_eq!(halves.1.replace(path.to_str().unwrap(), "<stdin>"), stdin.1);
    // A header and the four months.
    assert_eq!(String::from_utf8_lossy(&halves.0).lines().count(), 5);
}

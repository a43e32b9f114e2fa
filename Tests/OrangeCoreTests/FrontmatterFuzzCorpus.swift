/// The seeds of the TASK.md fuzz test: files orange writes, files the original orange (js-yaml)
/// wrote, files people write by hand, and hand-made nasty ones that probe every rule of the
/// accepted YAML subset. Every valid one uses id `T1` in project `coffee`.
enum FrontmatterFuzzCorpus {
    static let id = "T1"
    static let project = "coffee"

    static let valid: [String] = [
        // orange's own canonical form, with every known key and a key of the user's.
        """
        ---
        id: T1
        project: coffee
        branch: orange-tasks/T1
        harness: claude
        status: working
        description: Fix login redirect
        parent: P1
        blocked_by: [A1, B2]
        children: []
        workspace: coffee--1
        tmux_session: coffee/orange-tasks/T1
        created_at: '2026-02-01T04:48:33.123Z'
        updated_at: '2026-02-01T05:12:00.000Z'
        pr_url: https://example.invalid/pr/1
        spawn_failures: 1
        last_error: 'spawn failed: tmux: no server'
        owner: dana
        ---
        ## Context

        Users land on /home after login.

        """,
        // What js-yaml wrote: quoted timestamps, '' for empty text, |- and >- blocks.
        """
        ---
        id: T1
        project: coffee
        branch: login-fix
        harness: claude
        status: pending
        description: |-
          First line
          second line

          after a blank line
        parent: null
        blocked_by: []
        children: []
        workspace: null
        tmux_session: null
        created_at: '2026-02-01T04:48:33.123Z'
        updated_at: '2026-02-01T04:48:33.123Z'
        last_error: >-
          a long folded
          error message
        notes: ''
        ---
        """,
        // A hand-written file: comments, block lists, odd spacing, null forms, CRLF endings, a BOM.
        "\u{FEFF}---\r\nid: T1   # the id\r\nproject: 'coffee'\r\nstatus: \"pending\"\r\n# a comment line\r\n\r\nblocked_by:\r\n  - A1\r\n  - 'B2'\r\nchildren:\r\n- C3\r\nparent: ~\r\nworkspace:\r\nestimate: 3\r\ndraft: yes\r\n---\r\nbody with a --- line\r\n---\r\n",
        // Double-quoted escapes, a multi-line flow list, a plain value continued on the next line.
        """
        ---
        id: T1
        project: coffee
        status: clarification
        description: "tab\\there, quote \\" and \\u00e9 and \\x41 and a joined \\
          line"
        blocked_by: [A1,
          B2, C3,]
        summary: a plain value
          continued here

          and a new paragraph
        single: 'it''s
          folded'
        keep: |+
          kept trailing lines


        indented: |2-
            two extra spaces
        ---
        """,
        // The smallest valid file, with an empty body and no final line break.
        "---\nid: T1\nproject: coffee\nstatus: done\n---",
        // Lone CR line endings and trailing spaces on the fences.
        "---   \rid: T1\rproject: coffee\rstatus: failed\rchildren: C1\r---  \rbody\r",
        // Unicode everywhere it is allowed.
        """
        ---
        id: T1
        project: coffee
        status: pending
        description: "café 😀 \\u05D0\\u05D1 \\U0001F600 \\N \\_ \\L \\P"
        author: Ünïcödé
        ---
        # Überschrift

        😀 body\u{2028}with separators\u{2029}
        """,
    ]

    static let nasty: [String] = [
        "",
        "---",
        "---\n",
        "---\n---\n",
        "--- \nid: T1\n",
        "---x\nid: T1\n---\n",
        "---\nid: T1\nproject: coffee\nstatus: pending\nmeta:\n  nested: map\n---\n",
        "---\nid: T1\nproject: coffee\nstatus: pending\nitems:\n  - a: b\n---\n",
        "---\nid: &anchor T1\nproject: *anchor\nstatus: !!str pending\n---\n",
        "---\n%YAML 1.2\nid: T1\n---\n",
        "---\nid: T1\nproject: coffee\nstatus: pending\nstatus: done\n---\n",
        "---\nid: T1\n\tproject: coffee\n---\n",
        "---\nid: 'T1\nproject: coffee\n---\n",
        "---\nid: \"T1\\q\"\n---\n",
        "---\nid: [T1\nproject: coffee\n---\n",
        "---\nid: [[T1]]\n---\n",
        "---\nid: {a: b}\n---\n",
        "---\nid: T1\nproject: coffee\nstatus: pending\ndescription: a: b\n---\n",
        "---\nid: T1\nproject: coffee\nstatus: pending\ndescription: bell \u{7} here\n---\n",
        "---\nid: T1\nproject: coffee\nstatus: pending\ndescription: |9\n  short\n---\n",
        "---\nid: T1\nproject: coffee\nstatus: pending\ndescription: >\n\n\n---\n",
        "---\nid: T1\nproject: coffee\nstatus: pending\n... \n---\n",
        "---\nid: T1\nproject: coffee\nstatus: pending\n--- second\n---\n",
        "---\nid: ../../etc\nproject: ../x\nstatus: pending\n---\n",
        "---\nid: T1\nproject: coffee\nstatus: pending\nbranch: -rf\n---\n",
        "---\nid: T1\nproject: coffee\nstatus: pending\nbranch: a..b\n---\n",
        "---\nid: T1\nproject: coffee\nstatus: pending\nblocked_by: ['../x']\n---\n",
        "---\nid: T1\nproject: coffee\nstatus: pending\ncreated_at: yesterday\n---\n",
        "---\nid: T1\nproject: coffee\nstatus: pending\nspawn_failures: 99999999999999999999\n---\n",
        "---\nid: T1\nproject: coffee\nstatus: pending\ntmux_session: \"a\\u001Bb\"\n---\n",
        "---\nid: \"T1\\0\"\nproject: coffee\nstatus: pending\n---\n",
        "---\nid: T1\nproject: coffee\nstatus: pending\ndescription: \"\\uD800\"\n---\n",
        "---\nid: T1\nproject: coffee\nstatus: pending\n" + String(repeating: "[", count: 2000) + "\n---\n",
        "---\nid: T1\nproject: coffee\nstatus: pending\nk: " + String(repeating: "\\", count: 3000) + "\n---\n",
        "---\nid: T1\nproject: coffee\nstatus: pending\nk: \"" + String(repeating: "\\\\", count: 2000) + "\n---\n",
        "---\nid: T1\nproject: coffee\nstatus: pending\nk: |\n" + String(repeating: "  line\n", count: 2000) + "---\n",
        "---\nid: T1\nproject: coffee\nstatus: pending\nk:\n" + String(repeating: "  - x\n", count: 2000) + "---\n",
        "---\nid: T1\nproject: coffee\nstatus: pending\n" + String(repeating: " ", count: 5000) + "k: v\n---\n",
        "---\nid: T1\n" + String(repeating: "#\n", count: 3000) + "---\n",
    ]
}

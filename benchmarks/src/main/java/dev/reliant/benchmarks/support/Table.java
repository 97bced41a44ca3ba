package dev.reliant.benchmarks.support;

import java.util.ArrayList;
import java.util.List;

/** A plain-text table, columns padded to their widest cell, printed as Markdown so it pastes into RESULTS.md. */
public final class Table {

    private final List<String[]> rows = new ArrayList<>();

    public Table(String... header) {
        rows.add(header);
    }

    public Table row(Object... cells) {
        String[] text = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            text[i] = format(cells[i]);
        }
        rows.add(text);
        return this;
    }

    public void print(String title) {
        int columns = rows.get(0).length;
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder("\n").append(title).append("\n\n");
        for (int r = 0; r < rows.size(); r++) {
            line(out, rows.get(r), widths);
            if (r == 0) {
                String[] rule = new String[columns];
                for (int i = 0; i < columns; i++) {
                    rule[i] = "-".repeat(widths[i]);
                }
                line(out, rule, widths);
            }
        }
        System.out.print(out);
        System.out.flush();
    }

    private static void line(StringBuilder out, String[] cells, int[] widths) {
        out.append('|');
        for (int i = 0; i < cells.length; i++) {
            out.append(' ').append(String.format("%-" + widths[i] + "s", cells[i])).append(" |");
        }
        out.append('\n');
    }

    private static String format(Object cell) {
        if (cell instanceof Double d) {
            return Math.abs(d) >= 100 ? String.format("%.0f", d) : String.format("%.3f", d);
        }
        return String.valueOf(cell);
    }

}

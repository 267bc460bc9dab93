package dev.modelwatch.bench.calibration;

import java.util.Map;
import java.util.TreeMap;

/**
 * Counts of one decision in one cell of a calibration table: how often it was taken (alarms), out of
 * how many opportunities, and how often it could not be taken.
 */
public final class Tally {
    /** A table cell: the decision, the reference's size and the window's. */
    public record Cell(String decision, long referenceRows, long windowRows) implements Comparable<Cell> {
        @Override
        public int compareTo(Cell o) {
            int c = decision.compareTo(o.decision);
            if (c != 0) {
                return c;
            }
            c = Long.compare(referenceRows, o.referenceRows);
            return c != 0 ? c : Long.compare(windowRows, o.windowRows);
        }
    }

    long flagged;
    long opportunities;
    long undecided;

    public long flagged() {
        return flagged;
    }

    public long opportunities() {
        return opportunities;
    }

    public long undecided() {
        return undecided;
    }

    public double rate() {
        return opportunities == 0 ? Double.NaN : (double) flagged / opportunities;
    }

    /** Cells to tallies, merged from trials. */
    public static final class Table {
        private final Map<Cell, Tally> cells = new TreeMap<>();

        public void add(String decision, long referenceRows, long windowRows, boolean flagged) {
            Tally t = cells.computeIfAbsent(new Cell(decision, referenceRows, windowRows), k -> new Tally());
            t.opportunities++;
            if (flagged) {
                t.flagged++;
            }
        }

        public void undecided(String decision, long referenceRows, long windowRows) {
            cells.computeIfAbsent(new Cell(decision, referenceRows, windowRows), k -> new Tally()).undecided++;
        }

        public void merge(Table other) {
            other.cells.forEach((k, v) -> {
                Tally t = cells.computeIfAbsent(k, x -> new Tally());
                t.flagged += v.flagged;
                t.opportunities += v.opportunities;
                t.undecided += v.undecided;
            });
        }

        public Map<Cell, Tally> cells() {
            return cells;
        }
    }
}

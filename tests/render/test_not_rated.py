"""The NR line says why a company with enough rows overall is not rated: never "40
complaints; 30 needed", which reads as a contradiction."""

from generator.importers import import_cfpb
from generator.pipeline import load
from generator.render.company_text import not_rated
from generator.score import score_corpus

from ..importers.test_importers import cfpb_file, cfpb_row


def test_enough_rows_overall_but_too_few_behind_each_figure(corpus, tmp_path):
    old = [cfpb_row(k, "Acme Lending", date=f"1/{1 + k}/2016") for k in range(20)]
    new = [cfpb_row(100 + k, "Acme Lending", date=f"12/{1 + k}/2016") for k in range(20)]
    import_cfpb(cfpb_file(tmp_path, "x.csv", old + new), corpus, unknown="create")
    score = score_corpus(load(corpus)).company("acme-lending")
    assert score.complaints == 40 and score.not_rated == "too_few"
    most = max(r.n for r in score.criteria if r.status == "too_few")
    assert 0 < most < 30  # the settled rows only (the last 60 days are left out)
    line = not_rated(score, 30)
    assert "40 complaints, but the most that any graded figure reads is" in line, line
    assert f"reads is {most}; 30 needed" in line

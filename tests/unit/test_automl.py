"""AutoML without Airflow: the families' search spaces, the cross-validated Optuna search within its
budget, the torch MLP's safe file format, the metrics by task type and the evaluation figures."""

from __future__ import annotations

import json

import numpy as np
import optuna
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.model_selection import train_test_split

from modelhub.pipelines import automl, evaluate
from modelhub.pipelines.families import FAMILIES, TorchMLP, family_params, torch_device


def small_classification():
    X, y = load_breast_cancer(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    return train_test_split(X[:300], y[:300], test_size=0.3, random_state=0, stratify=y[:300])


def small_regression():
    X, y = load_diabetes(return_X_y=True)
    return train_test_split(X[:300], y[:300], test_size=0.3, random_state=0)


@pytest.mark.parametrize("task_type", ["classification", "regression"])
def test_every_family_has_a_prefixed_space_and_builds_a_working_model(task_type):
    X_train, X_test, y_train, _ = small_classification() if task_type == "classification" else small_regression()
    for name, family in FAMILIES.items():
        study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1))
        trial = study.ask({"family": optuna.distributions.CategoricalDistribution([name])})
        params = family.suggest(trial, task_type)
        assert params, name
        assert all(key == "family" or key.startswith(name + ".") for key in trial.params), trial.params
        assert family_params(trial.params) == (name, params)
        model = family.build({**params, "epochs": 20} if name == "mlp" else params, task_type, 0, None)
        model.fit(X_train, y_train)
        predicted = model.predict(X_test)
        assert predicted.shape == (len(X_test),)
        if task_type == "classification":
            assert set(np.unique(predicted)) <= {0, 1}
            proba = model.predict_proba(X_test)
            assert proba.shape == (len(X_test), 2) and np.allclose(proba.sum(axis=1), 1)
        study.tell(trial, 0.0)


def test_search_keeps_to_its_trial_budget_and_beats_a_dummy_classifier():
    X_train, X_test, y_train, y_test = small_classification()
    seen = []
    result = automl.search(
        X_train,
        y_train,
        "classification",
        families=["linear", "gradient_boosting"],
        n_trials=4,
        timeout_s=60,
        cv_folds=3,
        seed=3,
        on_trial=seen.append,
        log=lambda _: None,
    )
    assert result.metric == "roc_auc"
    assert len(result.trials) == 4 == len(seen)
    assert {t.family for t in result.trials} <= {"linear", "gradient_boosting"}
    # the first trials try each allowed family once
    assert [t.family for t in result.trials[:2]] == ["linear", "gradient_boosting"]
    assert all(len(t.fold_scores) == 3 for t in result.trials)
    assert result.best.score == max(t.score for t in result.trials)
    model = FAMILIES[result.best.family].build(result.best.params, "classification", 3, None).fit(X_train, y_train)
    ours = evaluate.model_metrics("classification", model, X_test, y_test)
    dummy = evaluate.model_metrics("classification", DummyClassifier().fit(X_train, y_train), X_test, y_test)
    assert ours["accuracy"] > dummy["accuracy"] and ours["roc_auc"] > 0.9


def test_search_minimises_error_metrics_for_regression():
    X_train, X_test, y_train, y_test = small_regression()
    result = automl.search(
        X_train, y_train, "regression", families=["linear", "random_forest"], n_trials=3, timeout_s=60, log=print
    )
    assert result.metric == "rmse"
    assert result.best.score == min(t.score for t in result.trials)
    model = FAMILIES[result.best.family].build(result.best.params, "regression", 0, None).fit(X_train, y_train)
    ours = evaluate.model_metrics("regression", model, X_test, y_test)
    dummy = evaluate.model_metrics("regression", DummyRegressor().fit(X_train, y_train), X_test, y_test)
    assert ours["rmse"] < dummy["rmse"] and ours["r2"] > 0.2


def test_the_time_budget_stops_the_search():
    X_train, _, y_train, _ = small_regression()
    result = automl.search(
        X_train, y_train, "regression", families=["linear"], n_trials=100000, timeout_s=1.0, log=lambda _: None
    )
    assert 1 <= len(result.trials) < 100000


def test_bad_options_and_unlearnable_data_are_refused_clearly():
    with pytest.raises(ValueError, match="unknown model families svm"):
        automl.check_options("classification", ["svm"], None)
    with pytest.raises(ValueError, match="metric rmse does not apply to classification"):
        automl.check_options("classification", None, "rmse")
    X = np.zeros((30, 2))
    with pytest.raises(automl.SearchFailed, match="single class"):
        automl.search(X, np.ones(30), "classification", n_trials=1, log=lambda _: None)
    with pytest.raises(automl.SearchFailed, match="too few"):
        automl.search(X[:4], np.arange(4.0), "regression", n_trials=1, cv_folds=3, log=lambda _: None)


def test_torch_mlp_round_trips_through_a_weights_only_file(tmp_path):
    import torch

    assert torch_device() == ("cuda" if torch.cuda.is_available() else "cpu")
    X_train, X_test, y_train, _ = small_classification()
    labels = np.where(y_train == 1, "benign", "malignant")
    model = TorchMLP("classification", hidden=16, layers=1, epochs=5).fit(X_train, labels)
    path = tmp_path / "model.pt"
    model.save(path)
    # plain tensors and values: loadable with weights_only=True, no code from the file runs
    assert set(torch.load(path, weights_only=True)) == {"architecture", "state_dict"}
    loaded = TorchMLP.load(path)
    assert list(loaded.classes_) == ["benign", "malignant"]
    assert (loaded.predict(X_test) == model.predict(X_test)).all()
    assert np.allclose(loaded.predict_proba(X_test), model.predict_proba(X_test), atol=1e-6)
    json.dumps(loaded.architecture())

    regression = TorchMLP("regression", hidden=8, layers=1, epochs=3).fit(X_train, y_train * 100.0)
    regression.save(path)
    assert np.allclose(TorchMLP.load(path).predict(X_test), regression.predict(X_test), atol=1e-4)


def test_classification_metrics_and_report():
    y_true = np.array(["a", "b", "b", "a", "b", "a"])
    y_pred = np.array(["a", "b", "a", "a", "b", "b"])
    proba = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.7, 0.3], [0.1, 0.9], [0.4, 0.6]])
    metrics = evaluate.classification_metrics(y_true, y_pred, proba, ["a", "b"])
    assert set(metrics) == set(evaluate.CLASSIFICATION_METRICS)
    assert metrics["accuracy"] == pytest.approx(4 / 6)
    assert metrics["precision"] == pytest.approx(2 / 3) and metrics["recall"] == pytest.approx(2 / 3)
    assert metrics["roc_auc"] == pytest.approx(8 / 9)
    report = evaluate.classification_report(y_true, y_pred, proba, ["a", "b"])
    assert report["confusion_matrix"] == [[2, 1], [1, 2]]
    assert [c["class"] for c in report["roc"]] == ["b"] and report["roc"][0]["auc"] == pytest.approx(8 / 9)
    images = evaluate.figures("classification", report, "test")
    assert set(images) == {"confusion_matrix.png", "roc_curve.png", "pr_curve.png"}
    assert all(data.startswith(b"\x89PNG") for data in images.values())
    json.dumps(report)

    three = evaluate.classification_metrics([0, 1, 2, 2], [0, 1, 1, 2], np.eye(3)[[0, 1, 1, 2]], [0, 1, 2])
    assert three["f1"] == pytest.approx((1 + 2 / 3 + 2 / 3) / 3)


def test_regression_metrics_and_direction():
    metrics = evaluate.regression_metrics([1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 6.0])
    assert metrics == {"rmse": pytest.approx(1.0), "mae": pytest.approx(0.5), "r2": pytest.approx(1 - 4 / 5)}
    assert evaluate.improvement("rmse", 0.8, 1.0) == pytest.approx(0.2)
    assert evaluate.improvement("accuracy", 0.8, 0.9) == pytest.approx(-0.1)
    report = evaluate.regression_report([1.0, 2.0, 3.0], [1.5, 2.0, 2.5])
    assert set(evaluate.figures("regression", report, "t")) == {"predicted_vs_actual.png"}


def test_the_promotion_gate():
    from modelhub.jobs.evaluation import decide

    def summary(value, champion=None, champion_version=None, metric="rmse"):
        return {
            "metric": metric,
            "version": 3,
            "metrics": {metric: value},
            "champion": None if champion is None else {"version": champion_version, "metrics": {metric: champion}},
            "champion_version": champion_version,
        }

    assert decide(summary(50.0), None, 0.0) == (False, "no promotion asked (set the parameter promote_to)")
    moved, why = decide(summary(50.0), "champion", 0.0)
    assert moved and why.startswith("there is no champion yet: version 3")
    moved, why = decide(summary(50.0, 55.0, 2), "champion", 1.0)  # rmse: lower is better
    assert moved and "improvement +5.0000, required +1.0000" in why
    moved, why = decide(summary(50.0, 55.0, 2), "champion", 10.0)
    assert not moved and why.startswith("version 3 is not promoted")
    moved, _ = decide(summary(0.90, 0.91, 2, metric="roc_auc"), "challenger", -0.02)  # a small loss tolerated
    assert moved
    assert not decide(summary(0.90, 0.91, 2, metric="roc_auc"), "challenger", 0.0)[0]
    assert decide(summary(0.9, None, 3, metric="f1"), "champion", 0.0) == (False, "version 3 already is the champion")

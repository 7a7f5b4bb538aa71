"""scikit-learn's own estimator checks, with default parameters and no expected failures."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skgd import ExponentialGrowthRegressor, GDClassifier, GDRegressor

ESTIMATORS = [GDRegressor(), GDClassifier(), ExponentialGrowthRegressor()]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible(estimator, check):
    check(estimator)

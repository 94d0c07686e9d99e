// Principal components of a panel of indicators, used as factors by the
// LASSO forecaster in the manner of Stock and Watson's diffusion indexes.
//
//   PrincipalComponents pcs = FitPrincipalComponents(data, 4);
//   Eigen::MatrixXd factors = pcs.Scores(data);
//
// The columns are standardized with the means and standard deviations of the
// data given to the fit, so scores of later rows use no later information.
// A value type; thread-safe for reading.
#pragma once

#include <Eigen/Dense>

namespace macropipe::forecast {

struct PrincipalComponents {
  Eigen::VectorXd means;
  Eigen::VectorXd scales;    // Standard deviations; 1 for a constant column.
  Eigen::MatrixXd loadings;  // One unit-length eigenvector of the correlation matrix a column.

  // Returns the scores of each row of `data` (same columns as the fit). A NaN
  // counts as the column's mean, so it adds nothing to the scores.
  Eigen::MatrixXd Scores(const Eigen::MatrixXd& data) const;
};

// Fits the first `count` components of `data` (rows are months, no NaN) by
// an eigendecomposition of its correlation matrix. Each loading vector's sign
// is fixed so that its largest entry in absolute value is positive, which
// makes the scores deterministic. Throws Error(kInvalidInput) when `count`
// exceeds the number of columns.
PrincipalComponents FitPrincipalComponents(const Eigen::MatrixXd& data, int count);

}  // namespace macropipe::forecast

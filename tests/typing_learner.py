"""A learner's calls of the public API, as the README and the course write them: type-checked by
tests/test_typing.py (mypy, with the package's own hints), never run. Each call is one a user makes;
an annotation too narrow for it is an error here, as it would be in the user's own checked code."""

from __future__ import annotations

from pathlib import Path
from typing_extensions import assert_type  # typing.assert_type from Python 3.11; mypy brings typing_extensions

import numpy as np

import backend_nn as bnn

# week 3: the flower, on the default backend and on others by name
X, Y = bnn.load_planar_dataset()
assert_type(X, np.ndarray)
params, costs = bnn.nn_model(X, Y, n_h=4, num_iterations=10000, learning_rate=1.2)
assert_type(params, bnn.Parameters)
params, costs = bnn.nn_model(X, Y, 4, backend="auto", dtype=np.float32, compile=False, progress=None)
params, costs = bnn.nn_model(X, Y, [8, 4], 200, activation=["relu", bnn.get_activation("tanh")])
pred = bnn.predict(params, X)
score: float = bnn.accuracy(pred, Y)
W1 = bnn.to_numpy(params["W1"])
params_t = bnn.to_backend(params, "torch")

# a loop of one's own, as the README writes it
net = bnn.Network.build([2, 4, 1], "tanh")
stepped, step_cost = bnn.train_step(bnn.initialize_parameters(2, 4, 1), X, Y, learning_rate=1.2, net=net)
print(stepped.network, float(step_cost))

# week 4 and softmax, by the course's names and argument order
Xd, Yd = bnn.load_dataset("digits")
deep, deep_costs = bnn.L_layer_model(Xd, Yd, [64, 32, 16, 10], 0.1, 3000, True)
deep, deep_costs = bnn.L_layer_model(Xd, Yd, (64, 32, 10), activation=bnn.get_activation("leaky_relu"))
assert_type(deep_costs, list[np.ndarray])  # the course's: np.squeeze(cost), 0-d arrays
two, two_costs = bnn.two_layer_model(Xd, Yd, (64, 7, 10), num_iterations=2)
parameters = bnn.initialize_parameters_deep([5, 4, 3])
AL, caches = bnn.L_model_forward(Xd, parameters)
cost: float = bnn.compute_cost(AL, Yd)
grads = bnn.L_model_backward(AL, Yd, caches)
parameters = bnn.update_parameters(parameters, grads, 0.0075)
A, cache = bnn.linear_activation_forward(Xd, parameters["W1"], parameters["b1"], "relu")
dA_prev, dW, db = bnn.linear_activation_backward(A, cache, bnn.get_activation("relu"))

# course 2: mini-batches, optimizers, regularization, gradient checking
batches = bnn.random_mini_batches(X, Y, 64, seed=0)
v, s = bnn.initialize_adam(parameters)
parameters, v, s, v_corrected, s_corrected = bnn.update_parameters_with_adam(parameters, grads, v, s, 2)
trained, epoch_costs = bnn.model(Xd, Yd, [64, 32, 10], "adam", learning_rate=0.0007, mini_batch_size=64,
                                 num_epochs=10, print_cost=False, decay=bnn.schedule_lr_decay, lambd=0.7)
assert_type(epoch_costs, list[float])  # model's: the epochs' mean costs, as the course's
difference: float = bnn.gradient_check_n(parameters, grads, Xd, Yd)

# files, the classifier, pictures
path: Path = bnn.save_model("flower.npz", params)
params = bnn.load_model(path, backend="numpy")
Xf, Yf = bnn.load_data_file("points.csv")
assert_type(Yf, np.ndarray)  # labels=True: a file without them is an error, never a None
Xu, none = bnn.load_data_file("points.csv", labels=False)
assert_type(none, None)
clf = bnn.NNClassifier(hidden_layer_sizes=(32, 16), activation="relu", dtype=np.float32, num_iterations=3000)
accuracy_rows: float = clf.fit(Xd.T, Yd.ravel()).score(Xd.T, Yd.ravel())
probabilities = clf.predict_proba(Xd.T)
figure = bnn.plot_decision_boundary(params, X, Y)
figure = bnn.plot_costs(costs, 1.2)
figure = bnn.plot_costs(deep_costs, 0.0075)  # the week-4 notebook's call: a list of 0-d arrays
figure = bnn.plot_costs(epoch_costs)

# course 2's notebooks' own calls
predictions = bnn.predict(X, Y, trained)  # predict(X, y, parameters): prints the accuracy
bnn.predict_dec(trained, X)
figure = bnn.plot_decision_boundary(lambda x: bnn.predict_dec(trained, x.T), X, Y)
cost_n, cache_n = bnn.forward_propagation_n(X, Y, parameters)
grads_n = bnn.backward_propagation_n(X, Y, cache_n)
he, he_costs = bnn.model(X, Y, learning_rate=0.01, num_iterations=15000, print_cost=True, initialization="he")
l2, l2_costs = bnn.model(X, Y, lambd=0.7)
dropped, dropped_costs = bnn.model(X, Y, keep_prob=0.86, learning_rate=0.3)
n_x, n_h, n_y = bnn.layer_sizes(X, Y)
shallow = bnn.initialize_parameters(n_x, n_h, n_y)
A2, cache2 = bnn.forward_propagation(X, shallow)
cost2: float = bnn.compute_cost(A2, Y, shallow)
grads2 = bnn.backward_propagation(shallow, cache2, X, Y)
v_m = bnn.initialize_velocity(shallow)
shallow, v_m = bnn.update_parameters_with_momentum(shallow, grads2, v_m, 0.9, 0.01)
decayed, decayed_costs = bnn.model(X, Y, [2, 5, 2, 1], optimizer="gd", learning_rate=0.1, num_epochs=5000,
                                   decay=bnn.update_lr)
rate: float = bnn.schedule_lr_decay(0.5, 100, 1, 100)

# the results by name, the helpers of week 4's notebook, errors to catch
result = bnn.nn_model(X, Y, 4, 100)
named: bnn.Parameters = result.parameters
assert_type(result.costs, np.ndarray)  # the recorded costs, one every cost_every iterations
from backend_nn.dnn_utils import relu, relu_backward, sigmoid, sigmoid_backward  # noqa: E402

A_s, z_cache = sigmoid(AL)
dZ = sigmoid_backward(A_s, z_cache)
A_r, r_cache = relu(AL)
dZ = relu_backward(A_r, r_cache)
s_only = bnn.sigmoid(AL)
try:
    bnn.nn_model(X, Y, 4, learning_rate=1e6)
except bnn.TrainingDivergedError as exc:
    where: int = exc.iteration

# the course's nn_model and model return the parameters alone: a notebook keeps the result whole
kept = bnn.nn_model(X, Y, 4, num_iterations=10000)
print(kept["W1"], "W1" in kept, list(kept.keys()))
kept_pred = bnn.predict(kept, X)
bnn.plot_decision_boundary(lambda x: bnn.predict(kept, x.T), X, Y)
kept2 = bnn.model(X, Y, [2, 5, 2, 1], optimizer="gd")
course_pred = bnn.predict(X, Y, kept2)
bnn.plot_decision_boundary(lambda x: bnn.predict_dec(kept2, x.T), X, Y)
bnn.save_model("kept.npz", kept)
bnn.plot_costs(kept)
